using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using LiveRelay.Core.Access;
using LiveRelay.Core.Diagnostics;
using LiveRelay.Core.Media;
using LiveRelay.Core.Streams;
using LiveRelay.Protocols.WebRtc.Dtls;
using LiveRelay.Protocols.WebRtc.Sdp;
using LiveRelay.Protocols.WebRtc.Stun;
using LiveRelay.Protocols.WebRtc.Transport;

namespace LiveRelay.Server.WebRtc;

/// <summary>Why an offer was not taken, as the HTTP status and words for the client.</summary>
internal sealed record WebRtcRefusal(int StatusCode, string Message);

/// <summary>
/// WebRTC for the server: the DTLS certificate (made at start), the shared UDP port, and the WHIP
/// sessions by id. Offers are checked, answered and connected here; the endpoints only speak HTTP.
/// </summary>
internal sealed partial class WebRtcService(WebRtcOptions options, StreamHub hub, IPlaybackAuthorizer playback, TimeProvider time, LiveRelayMetrics metrics, ILoggerFactory loggers) : IHostedService
{
    private readonly ConcurrentDictionary<string, WhipSession> _whip = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (WhepSession Session, PlaybackGrant Grant)> _whep = new(StringComparer.Ordinal);
    private readonly Dictionary<LiveStream, AacToOpusTranscoder> _opus = [];
    private readonly Lock _opusLock = new();
    private readonly ILogger _logger = loggers.CreateLogger<WebRtcService>();
    private WebRtcUdpServer? _udp;
    private WebRtcTcpServer? _tcp;
    private IReadOnlyList<(string Address, int Port)> _tcpCandidates = [];
    private DtlsCertificate? _certificate;
    private IReadOnlyList<(string Address, int Port)> _candidates = [];

    public bool Enabled => options.UdpPort != 0;

    public int Sessions => _whip.Count + _whep.Count;

    // The client address of every session, for the per-address limit (at most MaxSessions entries to scan).
    private readonly ConcurrentDictionary<string, IPAddress> _sessionAddresses = new(StringComparer.Ordinal);

    /// <summary>Null when another session may start for <paramref name="remote"/>; else the refusal.</summary>
    private WebRtcRefusal? OverLimit(string remote)
    {
        if (Sessions >= options.MaxSessions)
        {
            metrics.ConnectionRejected("webrtc", "limit_total");
            return new WebRtcRefusal(StatusCodes.Status503ServiceUnavailable, $"too many WebRTC sessions ({options.MaxSessions})");
        }

        if (options.MaxSessionsPerAddress > 0 && IPEndPoint.TryParse(remote, out var endPoint)
            && _sessionAddresses.Values.Count(a => a.Equals(endPoint.Address)) >= options.MaxSessionsPerAddress)
        {
            metrics.ConnectionRejected("webrtc", "limit_address");
            return new WebRtcRefusal(StatusCodes.Status503ServiceUnavailable, $"{endPoint.Address} has {options.MaxSessionsPerAddress} WebRTC sessions, the most one address may have (LiveRelay:Limits:MaxConnectionsPerAddress)");
        }

        return null;
    }

    private void NoteAddress(string id, string remote)
    {
        if (IPEndPoint.TryParse(remote, out var endPoint))
        {
            _sessionAddresses[id] = endPoint.Address;
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return Task.CompletedTask;
        }

        _certificate = DtlsCertificate.Create();
        var address = options.Address.Length > 0 ? IPAddress.Parse(options.Address) : IPAddress.IPv6Any;
        _udp = new WebRtcUdpServer(new IPEndPoint(address, options.UdpPort), loggers.CreateLogger<WebRtcUdpServer>(), metrics);
        _udp.Start();
        _candidates = options.ResolveCandidates(_udp.Port);
        if (options.TcpPort != 0)
        {
            _tcp = new WebRtcTcpServer(new IPEndPoint(address, options.TcpPort), _udp, loggers.CreateLogger<WebRtcTcpServer>());
            _tcp.Start();
            _tcpCandidates = [.. _candidates.Select(c => (c.Address, _tcp.Port))];
        }

        Log.Listening(_logger, _udp.Port, string.Join(", ", _candidates.Select(c => $"{c.Address}:{c.Port}")) + (_tcp is null ? "" : $"; ICE-TCP on {_tcp.Port}"));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var id in _whip.Keys)
        {
            await EndWhipAsync(id, "the server is stopping").ConfigureAwait(false);
        }

        foreach (var id in _whep.Keys)
        {
            await EndWhepAsync(id, "the server is stopping").ConfigureAwait(false);
        }

        if (_tcp is not null)
        {
            await _tcp.DisposeAsync().ConfigureAwait(false);
        }

        if (_udp is not null)
        {
            await _udp.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Takes a WHIP offer for <paramref name="path"/>: the session and its SDP answer, or a refusal.</summary>
    public (WhipSession? Session, string? Answer, WebRtcRefusal? Refusal) Publish(string path, string offerSdp, string remote, bool takeover = false)
    {
        if (_udp is null || _certificate is null)
        {
            return (null, null, new WebRtcRefusal(StatusCodes.Status503ServiceUnavailable, "WebRTC is off on this server (LiveRelay:WebRtc:UdpPort is 0)"));
        }

        if (OverLimit(remote) is { } overLimit)
        {
            return (null, null, overLimit);
        }

        WebRtcOffer offer;
        WebRtcAnswer answer;
        var ufrag = IceCredentials.NewUfrag();
        var password = IceCredentials.NewPassword();
        try
        {
            offer = WebRtcOffer.Parse(offerSdp);
            answer = WebRtcNegotiator.Answer(offer, new WebRtcAnswerOptions
            {
                Receive = true,
                IceUfrag = ufrag,
                IcePwd = password,
                Fingerprint = _certificate.Fingerprint,
                UdpCandidates = _candidates,
                TcpCandidates = _tcpCandidates,
                SessionId = RandomNumberGenerator.GetInt32(1, int.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
        }
        catch (WebRtcSdpException ex)
        {
            metrics.WebRtcDropped(ex.Message.StartsWith("no usable codec", StringComparison.Ordinal) ? "offer_no_codec" : "offer_malformed");
            Log.OfferRefused(_logger, path, remote, ex.Message);
            return (null, null, new WebRtcRefusal(ex.Message.StartsWith("no usable codec", StringComparison.Ordinal) ? StatusCodes.Status422UnprocessableEntity : StatusCodes.Status400BadRequest, ex.Message));
        }

        if (answer.RemoteFingerprint.Algorithm != "sha-256")
        {
            return (null, null, new WebRtcRefusal(StatusCodes.Status400BadRequest, $"fingerprint algorithm {answer.RemoteFingerprint.Algorithm} is not supported; sha-256 is"));
        }

        var statistics = new WhipTransportStatistics();
        var status = hub.TryPublish(path, new PublisherInfo("webrtc", remote, Transport: statistics), out var publisher, takeover);
        if (publisher is null)
        {
            var message = status switch
            {
                PublishStatus.AlreadyPublishing => $"{path} is already being published",
                PublishStatus.ShuttingDown => "the server is shutting down",
                PublishStatus.TooManyPublishers => "the server publishes as many streams as it may (LiveRelay:Limits:MaxPublishers)",
                _ => $"cannot publish at {path}: {status}",
            };
            Log.OfferRefused(_logger, path, remote, message);
            return (null, null, new WebRtcRefusal(status switch
            {
                PublishStatus.AlreadyPublishing => StatusCodes.Status409Conflict,
                PublishStatus.TooManyPublishers or PublishStatus.ShuttingDown => StatusCodes.Status503ServiceUnavailable,
                _ => StatusCodes.Status403Forbidden,
            }, message));
        }

        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var peer = new WebRtcPeerConnection(_udp, _certificate, ufrag, password, answer.RemoteFingerprint.Bytes, loggers.CreateLogger<WebRtcPeerConnection>());
        var session = new WhipSession(id, path, peer, answer, publisher, time, loggers.CreateLogger<WhipSession>());
        statistics.Session = session;
        _whip[id] = session;
        NoteAddress(id, remote);
        metrics.WebRtcSession("whip", 1);
        _ = EndWhenClosedAsync(session);
        publisher.Evicted.Register(static state =>
        {
            var (service, session) = ((WebRtcService, WhipSession))state!;
            _ = service.EndWhipAsync(session.Id, session.Publisher.EvictedReason ?? "ended by the server");
        }, (this, session));
        Log.WhipStarted(_logger, path, remote, id);
        return (session, answer.Sdp, null);
    }

    /// <summary>Counts and logs a WHIP offer refused by the publish check.</summary>
    public void PublishRefused(string path, string remote, PublishDecision decision)
    {
        metrics.PublishRefused("webrtc", decision.Unauthorized ? "Unauthorized" : "Denied");
        Log.OfferRefused(_logger, path, remote, decision.Refusal ?? "not allowed");
    }

    /// <summary>Ends a WHIP session (DELETE on its resource, or the peer went away); false when there is none.</summary>
    public async Task<bool> EndWhipAsync(string id, string reason)
    {
        if (!_whip.TryRemove(id, out var session))
        {
            return false;
        }

        metrics.WebRtcSession("whip", -1);
        _sessionAddresses.TryRemove(id, out _);
        session.Peer.Close(reason);
        await session.DisposeAsync().ConfigureAwait(false);
        Log.WhipEnded(_logger, session.Path, id, reason);
        return true;
    }

    /// <summary>Takes a WHEP offer to play <paramref name="path"/>: the session and its SDP answer, or a refusal.</summary>
    public async Task<(WhepSession? Session, string? Answer, WebRtcRefusal? Refusal)> PlayAsync(string path, string offerSdp, string remote, string? token, CancellationToken cancellationToken)
    {
        if (_udp is null || _certificate is null)
        {
            return (null, null, new WebRtcRefusal(StatusCodes.Status503ServiceUnavailable, "WebRTC is off on this server (LiveRelay:WebRtc:UdpPort is 0)"));
        }

        if (OverLimit(remote) is { } overLimit)
        {
            return (null, null, overLimit);
        }

        var decision = await playback.AuthorizeAsync(new PlaybackRequest(path, "whep", remote, token), cancellationToken).ConfigureAwait(false);
        if (decision.Grant is not { } grant)
        {
            Log.PlayRefused(_logger, path, remote, decision.Refusal ?? "not allowed");
            return (null, null, new WebRtcRefusal(StatusCodes.Status403Forbidden, $"not allowed to play {path}: {decision.Refusal}"));
        }

        var stream = await hub.FindOrDemandAsync(path, StreamHub.DemandWait, cancellationToken).ConfigureAwait(false);
        if (stream is null || stream.State == StreamState.Ended)
        {
            grant.Dispose();
            return (null, null, new WebRtcRefusal(StatusCodes.Status404NotFound, $"no stream is live at {path}"));
        }

        if (stream.PlayerLimitReached() is { } full)
        {
            grant.Dispose();
            metrics.ConnectionRejected("webrtc", "limit_players");
            Log.PlayRefused(_logger, path, remote, full);
            return (null, null, new WebRtcRefusal(StatusCodes.Status503ServiceUnavailable, full));
        }

        var ufrag = IceCredentials.NewUfrag();
        var password = IceCredentials.NewPassword();
        var videoSsrc = (uint)RandomNumberGenerator.GetInt32(1, int.MaxValue);
        var audioSsrc = (uint)RandomNumberGenerator.GetInt32(1, int.MaxValue);
        WebRtcAnswer answer;
        try
        {
            answer = WebRtcNegotiator.Answer(WebRtcOffer.Parse(offerSdp), new WebRtcAnswerOptions
            {
                Receive = false,
                IceUfrag = ufrag,
                IcePwd = password,
                Fingerprint = _certificate.Fingerprint,
                UdpCandidates = _candidates,
                TcpCandidates = _tcpCandidates,
                SessionId = RandomNumberGenerator.GetInt32(1, int.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture),
                VideoSsrc = videoSsrc,
                AudioSsrc = audioSsrc,
            });
        }
        catch (WebRtcSdpException ex)
        {
            metrics.WebRtcDropped(ex.Message.StartsWith("no usable codec", StringComparison.Ordinal) ? "offer_no_codec" : "offer_malformed");
            grant.Dispose();
            Log.PlayRefused(_logger, path, remote, ex.Message);
            return (null, null, new WebRtcRefusal(ex.Message.StartsWith("no usable codec", StringComparison.Ordinal) ? StatusCodes.Status422UnprocessableEntity : StatusCodes.Status400BadRequest, ex.Message));
        }

        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var peer = new WebRtcPeerConnection(_udp, _certificate, ufrag, password, answer.RemoteFingerprint.Bytes, loggers.CreateLogger<WebRtcPeerConnection>());
        var opus = answer.Audio is not null && stream.AudioTrack is { Codec: CodecId.Aac } ? OpusFor(stream) : null;
        var session = new WhepSession(id, peer, stream, remote, answer, videoSsrc, audioSsrc, opus, loggers.CreateLogger<WhepSession>());
        _whep[id] = (session, grant);
        NoteAddress(id, remote);
        metrics.WebRtcSession("whep", 1);
        grant.Revoked.Register(() => peer.Close("the play was revoked"));
        session.Start();
        _ = EndWhepWhenClosedAsync(session);
        return (session, answer.Sdp, null);
    }

    /// <summary>Ends a WHEP session; false when there is none.</summary>
    public async Task<bool> EndWhepAsync(string id, string reason)
    {
        if (!_whep.TryRemove(id, out var entry))
        {
            return false;
        }

        metrics.WebRtcSession("whep", -1);
        _sessionAddresses.TryRemove(id, out _);
        entry.Session.Peer.Close(reason);
        await entry.Session.DisposeAsync().ConfigureAwait(false);
        entry.Grant.Dispose();
        await ReleaseOpusAsync(entry.Session).ConfigureAwait(false);
        Log.WhepEnded(_logger, entry.Session.Path, id, reason);
        return true;
    }

    /// <summary>The stream's shared AAC→Opus transcoder, started with its first WebRTC viewer.</summary>
    private AacToOpusTranscoder OpusFor(LiveStream stream)
    {
        lock (_opusLock)
        {
            if (!_opus.TryGetValue(stream, out var transcoder))
            {
                transcoder = new AacToOpusTranscoder(stream, loggers.CreateLogger<AacToOpusTranscoder>());
                _opus[stream] = transcoder;
                transcoder.Start();
            }

            return transcoder;
        }
    }

    /// <summary>Stops a stream's transcoder when its last WebRTC viewer left.</summary>
    private async Task ReleaseOpusAsync(WhepSession session)
    {
        AacToOpusTranscoder? idle = null;
        lock (_opusLock)
        {
            foreach (var (stream, transcoder) in _opus)
            {
                if (stream.Path == session.Path && transcoder.Viewers == 0)
                {
                    idle = transcoder;
                    _opus.Remove(stream);
                    break;
                }
            }
        }

        if (idle is not null)
        {
            await idle.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task EndWhepWhenClosedAsync(WhepSession session)
    {
        var reason = await session.Peer.Closed.ConfigureAwait(false);
        await EndWhepAsync(session.Id, reason).ConfigureAwait(false);
    }

    private async Task EndWhenClosedAsync(WhipSession session)
    {
        var reason = await session.Peer.Closed.ConfigureAwait(false);
        await EndWhipAsync(session.Id, reason).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(2720, LogLevel.Information, "WebRTC on UDP port {Port}; candidates {Candidates}")]
        public static partial void Listening(ILogger logger, int port, string candidates);

        [LoggerMessage(2721, LogLevel.Information, "WHIP offer for {StreamPath} from {Remote} refused: {Reason}")]
        public static partial void OfferRefused(ILogger logger, string streamPath, string remote, string reason);

        [LoggerMessage(2722, LogLevel.Information, "WHIP publish of {StreamPath} from {Remote}: session {SessionId}")]
        public static partial void WhipStarted(ILogger logger, string streamPath, string remote, string sessionId);

        [LoggerMessage(2723, LogLevel.Information, "WHIP publish of {StreamPath} ended (session {SessionId}): {Reason}")]
        public static partial void WhipEnded(ILogger logger, string streamPath, string sessionId, string reason);

        [LoggerMessage(2724, LogLevel.Information, "WHEP play of {StreamPath} by {Remote} refused: {Reason}")]
        public static partial void PlayRefused(ILogger logger, string streamPath, string remote, string reason);

        [LoggerMessage(2725, LogLevel.Information, "WHEP play of {StreamPath} ended (session {SessionId}): {Reason}")]
        public static partial void WhepEnded(ILogger logger, string streamPath, string sessionId, string reason);
    }
}
