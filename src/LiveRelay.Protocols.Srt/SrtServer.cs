using System.Collections.Concurrent;
using System.Net;
using LiveRelay.Core.Access;
using LiveRelay.Core.Diagnostics;
using LiveRelay.Core.Streams;
using Microsoft.Extensions.Logging;

namespace LiveRelay.Protocols.Srt;

/// <summary>
/// The SRT listener: one libsrt epoll loop on one thread serves every SRT socket. Callers are
/// routed by streamid (<see cref="SrtStreamId"/>); publishers' MPEG-TS is demuxed into the hub.
/// </summary>
public sealed partial class SrtServer : IDisposable
{
    private const string Protocol = "srt";
    private const int SampleIntervalMs = 1000;

    private readonly StreamHub _hub;
    private readonly SrtOptions _options;
    private readonly LiveRelayMetrics _metrics;
    private readonly ILogger<SrtServer> _logger;
    private readonly Dictionary<int, SrtPublishSession> _sessions = [];
    private readonly Dictionary<int, SrtPlaySession> _players = [];
    private readonly Dictionary<string, SrtTsFeed> _feeds = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<Action> _deferred = new();
    private readonly byte[] _drain = new byte[1500];
    private readonly IPlaybackAuthorizer _playback;
    private readonly IPublishAuthorizer _publish;

    // Plays granted in the admission hook (libsrt's thread), picked up when the caller is accepted.
    private readonly ConcurrentDictionary<string, (PlaybackGrant Grant, long At)> _granted = new(StringComparer.Ordinal);
    private SrtSocket? _listener;
    private SrtEpoll? _epoll;
    private Thread? _loop;
    private volatile bool _stopping;
    private long _nextSample;

    public SrtServer(StreamHub hub, SrtOptions options, LiveRelayMetrics metrics, ILogger<SrtServer> logger, IPlaybackAuthorizer? playback = null, IPublishAuthorizer? publish = null)
    {
        _playback = playback ?? new OpenPlaybackAuthorizer();
        _publish = publish ?? new OpenPublishAuthorizer();
        _hub = hub;
        _options = options;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>Binds the listener and starts the loop thread.</summary>
    public void Start()
    {
        var address = _options.Address.Length == 0 ? IPAddress.Any : IPAddress.Parse(_options.Address);
        _listener = SrtSocket.Create();
        SrtLibraryLog.RouteTo(_logger);
        _listener.SetLatency(_options.LatencyMs);
        if (_options.Passphrase.Length > 0)
        {
            _listener.SetPassphrase(_options.Passphrase, _options.KeyLength);
        }

        _listener.SetBlocking(false);
        _listener.SetAdmission(Admit);
        _listener.Bind(new IPEndPoint(address, _options.Port));
        _listener.Listen();
        _epoll = new SrtEpoll();
        _epoll.AddReader(_listener);
        _loop = new Thread(Loop) { IsBackground = true, Name = "SRT epoll" };
        _loop.Start();
        Log.Listening(_logger, $"{address}:{_options.Port}", _options.LatencyMs);
    }

    public void Dispose()
    {
        _stopping = true;
        _loop?.Join(TimeSpan.FromSeconds(5));
        foreach (var session in _sessions.Values)
        {
            session.Dispose();
        }

        _sessions.Clear();
        foreach (var feed in _feeds.Values)
        {
            feed.Dispose();
        }

        foreach (var player in _players.Values)
        {
            player.Socket.Dispose();
        }

        _feeds.Clear();
        _players.Clear();
        _listener?.Dispose();
        _epoll?.Dispose();
    }

    private void Loop()
    {
        var ready = new (int, bool, bool)[256];
        while (!_stopping)
        {
            try
            {
                foreach (var (socket, _, _) in _epoll!.Wait(100, ready))
                {
                    if (socket == _listener!.Id)
                    {
                        // One accept per readiness event: epoll reports the listener again while callers wait.
                        AcceptOne();
                    }
                    else if (_sessions.TryGetValue(socket, out var session) && !session.OnReadable())
                    {
                        Close(session);
                    }
                    else if (_players.TryGetValue(socket, out var player) && player.Socket.TryReceive(_drain) == 0)
                    {
                        player.Close();
                    }
                }

                while (_deferred.TryDequeue(out var action))
                {
                    action();
                }

                SweepPlayers();
                SweepGrants();
                if (Environment.TickCount64 >= _nextSample)
                {
                    _nextSample = Environment.TickCount64 + SampleIntervalMs;
                    SampleLinks();
                }
            }
            catch (Exception ex)
            {
                // One bad socket must not stop the loop that serves all the others.
                Log.LoopError(_logger, ex);
            }
        }
    }

    private void AcceptOne()
    {
        if (_listener!.TryAccept(out var remote) is { } socket)
        {
            _metrics.ConnectionOpened(Protocol, "connected");
            Track(socket, remote);
            var remoteText = remote?.ToString() ?? "";
            string streamIdText;
            try
            {
                streamIdText = socket.GetStreamId();
            }
            catch (SrtException ex)
            {
                Refuse(socket, remoteText, "", ex.Message, "connected");
                return;
            }

            if (!SrtStreamId.TryParse(streamIdText, out var streamId, out var error))
            {
                Refuse(socket, remoteText, streamIdText, error, "connected");
                return;
            }

            if (Resolve(streamId) == SrtMode.Request)
            {
                if (!_granted.TryRemove(remoteText, out var granted))
                {
                    // Admitted as a publisher a moment ago, but the path went live since: authorize now.
                    var decision = _playback.Authorize(new PlaybackRequest(streamId.Path, Protocol, remoteText, streamId.Parameters.GetValueOrDefault("token")));
                    if (decision.Grant is null)
                    {
                        Refuse(socket, remoteText, streamIdText, $"not allowed to play {streamId.Path}: {decision.Refusal}", "connected");
                        return;
                    }

                    granted = (decision.Grant, 0);
                }

                // The token was checked in the admission hook; the play callback (if any) may take a while: off this loop.
                var confirm = _playback.ConfirmAsync(new PlaybackRequest(streamId.Path, Protocol, remoteText, streamId.Parameters.GetValueOrDefault("token")), CancellationToken.None);
                if (confirm.IsCompleted)
                {
                    PlayIfConfirmed(socket, remoteText, streamIdText, streamId.Path, granted.Grant, confirm.Result);
                    return;
                }

                _ = PlayWhenConfirmedAsync(socket, remoteText, streamIdText, streamId.Path, granted.Grant, confirm);
                return;
            }

            // The key was checked in the admission hook; the publish callback (if any) may take a while: off this loop.
            var request = new PublishRequest(streamId.Path, Protocol, remoteText, PublishKey(streamId));
            var pending = _publish.AuthorizeAsync(request, CancellationToken.None);
            if (pending.IsCompleted)
            {
                Publish(socket, remoteText, streamIdText, streamId.Path, pending.Result);
                return;
            }

            _ = PublishWhenAuthorizedAsync(socket, remoteText, streamIdText, streamId.Path, pending);
        }
    }

    private async Task PublishWhenAuthorizedAsync(SrtSocket socket, string remote, string streamIdText, string path, ValueTask<PublishDecision> pending)
    {
        PublishDecision decision;
        try
        {
            decision = await pending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            decision = PublishDecision.Refuse($"the publish check failed: {ex.Message}");
        }

        _deferred.Enqueue(() => Publish(socket, remote, streamIdText, path, decision));
    }

    private void Publish(SrtSocket socket, string remoteText, string streamIdText, string path, PublishDecision decision)
    {
        if (!decision.Allowed)
        {
            _metrics.PublishRefused(Protocol, decision.Unauthorized ? "Unauthorized" : "Denied");
            Refuse(socket, remoteText, streamIdText, decision.Refusal!, "connected");
            return;
        }

        var statistics = new SrtTransportStatistics(socket, sender: false);
        var status = _hub.TryPublish(path, new PublisherInfo(Protocol, remoteText, socket.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), statistics), out var publisher, decision.Takeover);
        if (publisher is null)
        {
            _metrics.PublishRefused(Protocol, status.ToString());
            Refuse(socket, remoteText, streamIdText, status switch
            {
                PublishStatus.AlreadyPublishing => $"{path} is already being published",
                PublishStatus.Reserved => $"{path} is reserved for the server's program outputs",
                PublishStatus.ShuttingDown => "the server is shutting down",
                PublishStatus.TooManyPublishers => "the server publishes as many streams as it may (LiveRelay:Limits:MaxPublishers)",
                _ => "invalid path",
            }, "connected");
            return;
        }

        socket.SetBlocking(false);
        var session = new SrtPublishSession(socket, remoteText, publisher, statistics, _metrics, _logger);
        _sessions[socket.Id] = session;
        publisher.Evicted.Register(static state =>
        {
            var (server, session) = ((SrtServer, SrtPublishSession))state!;
            server._deferred.Enqueue(() => server.Evict(session));
        }, (this, session));
        _epoll!.AddReader(socket);
        _metrics.ConnectionStateChanged(Protocol, "connected", "publishing");
        Log.PublishStarted(_logger, path, remoteText, status);
    }

    /// <summary>
    /// The key a publisher's streamid carries: <c>key=</c> (access-control form or query), else the session
    /// key <c>s=</c>, else the user field <c>u=</c> when it is the only credential (encoders with one "user/key" box).
    /// </summary>
    private static string? PublishKey(SrtStreamId streamId) => streamId.Parameters.GetValueOrDefault("key") ?? streamId.Session ?? streamId.User;

    /// <summary>
    /// The listener's admission check, before the caller's handshake completes (on libsrt's thread):
    /// a malformed streamid, a publish to a live path or a read of a path nothing publishes is refused
    /// with the matching SRT_REJX code, which the caller sees. Accept checks again for races.
    /// </summary>
    private int Admit(string streamIdText, IPEndPoint? remote, SrtCaller caller)
    {
        var remoteText = remote?.ToString() ?? "";
        if (OverLimit(remote) is { } limit)
        {
            return Reject(remoteText, streamIdText, limit, SrtRejectReason.Overload, limit.Contains("PerAddress", StringComparison.Ordinal) ? "limit_address" : "limit_total");
        }

        if (!SrtStreamId.TryParse(streamIdText, out var streamId, out var error))
        {
            return Reject(remoteText, streamIdText, error, SrtRejectReason.BadRequest, "bad_streamid");
        }

        return Resolve(streamId) switch
        {
            SrtMode.Publish when _hub.Options.ReservedApps.Contains(streamId.Path[..streamId.Path.IndexOf('/', StringComparison.Ordinal)], StringComparer.Ordinal) =>
                Reject(remoteText, streamIdText, $"{streamId.Path} is reserved for the server's program outputs", SrtRejectReason.Forbidden, "reserved"),
            SrtMode.Publish => AdmitPublisher(remoteText, streamIdText, streamId, caller),
            SrtMode.Request when _hub.Find(streamId.Path) is null && _hub.DemandHandler?.Invoke(streamId.Path) != true =>
                Reject(remoteText, streamIdText, $"no stream is live at {streamId.Path}", SrtRejectReason.NotFound, "not_found"),
            SrtMode.Request => AuthorizePlay(remoteText, streamIdText, streamId),
            _ => 0,
        };
    }

    private int AdmitPublisher(string remote, string streamIdText, SrtStreamId streamId, SrtCaller caller)
    {
        var decision = _publish.Check(new PublishRequest(streamId.Path, Protocol, remote, PublishKey(streamId)));
        if (!decision.Allowed)
        {
            _metrics.PublishRefused(Protocol, decision.Unauthorized ? "Unauthorized" : "Denied");
            return Reject(remote, streamIdText, decision.Refusal!, decision.Unauthorized ? SrtRejectReason.Unauthorized : SrtRejectReason.Forbidden, "publish_not_allowed");
        }

        if (!decision.Takeover && IsPublished(streamId.Path))
        {
            return Reject(remote, streamIdText, $"{streamId.Path} is already being published", SrtRejectReason.Conflict, "conflict");
        }

        if (decision.SrtPassphrase is { } passphrase)
        {
            caller.SetPassphrase(passphrase);
        }

        return 0;
    }

    private int AuthorizePlay(string remote, string streamIdText, SrtStreamId streamId)
    {
        var decision = _playback.Authorize(new PlaybackRequest(streamId.Path, Protocol, remote, streamId.Parameters.GetValueOrDefault("token")));
        if (decision.Grant is not { } grant)
        {
            return Reject(remote, streamIdText, $"not allowed to play {streamId.Path}: {decision.Refusal}", SrtRejectReason.Forbidden, "play_not_allowed");
        }

        if (_granted.TryRemove(remote, out var stale))
        {
            stale.Grant.Dispose();
        }

        _granted[remote] = (grant, Environment.TickCount64);
        return 0;
    }

    private int Reject(string remote, string streamId, string reason, int code, string metricReason)
    {
        Log.Rejected(_logger, remote, streamId, reason, code);
        _metrics.ConnectionRejected(Protocol, metricReason);
        return code;
    }

    /// <summary>The bare form publishes when nobody publishes the path, else reads.</summary>
    private SrtMode Resolve(SrtStreamId streamId) => streamId.Mode switch
    {
        SrtMode.Auto => IsPublished(streamId.Path) ? SrtMode.Request : SrtMode.Publish,
        var mode => mode,
    };

    private bool IsPublished(string path) => _hub.Find(path) is { State: StreamState.Live, Publisher: not null };

    private async Task PlayWhenConfirmedAsync(SrtSocket socket, string remote, string streamIdText, string path, PlaybackGrant grant, ValueTask<string?> pending)
    {
        string? refusal;
        try
        {
            refusal = await pending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            refusal = $"the play check failed: {ex.Message}";
        }

        _deferred.Enqueue(() => PlayIfConfirmed(socket, remote, streamIdText, path, grant, refusal));
    }

    private void PlayIfConfirmed(SrtSocket socket, string remote, string streamIdText, string path, PlaybackGrant grant, string? refusal)
    {
        if (refusal is not null)
        {
            grant.Dispose();
            Refuse(socket, remote, streamIdText, $"not allowed to play {path}: {refusal}", "connected");
            return;
        }

        Play(socket, remote, streamIdText, path, grant);
    }

    private void Play(SrtSocket socket, string remote, string streamIdText, string path, PlaybackGrant grant)
    {
        if (_hub.Find(path) is not { SinceLastKeyframe: not null } && _hub.DemandHandler is not null)
        {
            // An on-demand source may be starting: wait for it off this loop, then play on it.
            _ = WaitForSourceAsync(socket, remote, streamIdText, path, grant);
            return;
        }

        Play(socket, remote, streamIdText, path, grant, _hub.Find(path));
    }

    private async Task WaitForSourceAsync(SrtSocket socket, string remote, string streamIdText, string path, PlaybackGrant grant)
    {
        LiveStream? stream = null;
        try
        {
            stream = await _hub.FindOrDemandAsync(path, StreamHub.DemandWait, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _deferred.Enqueue(() => Play(socket, remote, streamIdText, path, grant, stream));
        }
    }

    private void Play(SrtSocket socket, string remote, string streamIdText, string path, PlaybackGrant grant, LiveStream? stream)
    {
        if (stream is null or { State: StreamState.Ended })
        {
            grant.Dispose();
            Refuse(socket, remote, streamIdText, $"no stream is live at {path}", "connected");
            return;
        }

        if (stream.PlayerLimitReached() is { } full)
        {
            grant.Dispose();
            _metrics.ConnectionRejected(Protocol, "limit_players");
            Refuse(socket, remote, streamIdText, full, "connected");
            return;
        }

        if (!_feeds.TryGetValue(path, out var feed) || feed.Stream != stream || feed.Completion.IsCompleted)
        {
            feed?.Dispose();
            feed = new SrtTsFeed(stream);
            _feeds[path] = feed;
        }

        // Non-blocking sends: a reader whose send buffer fills is cut off instead of stalling the others.
        socket.SetBlocking(false);
        var player = new SrtPlaySession(socket, remote, stream, new StreamViewer(Protocol, remote, new SrtTransportStatistics(socket, sender: true)), grant);
        stream.AddViewer(player.Viewer);
        _players[socket.Id] = player;
        _epoll!.AddReader(socket);
        feed.Add(player);
        _metrics.ConnectionStateChanged(Protocol, "connected", "playing");
        Log.PlayStarted(_logger, path, remote);
    }

    /// <summary>Closes readers that left, failed or whose stream ended; drops feeds nobody reads.</summary>
    private void SweepPlayers()
    {
        List<SrtPlaySession>? closed = null;
        foreach (var player in _players.Values)
        {
            if (player.IsClosed)
            {
                (closed ??= []).Add(player);
            }
        }

        if (closed is null)
        {
            return;
        }

        foreach (var player in closed)
        {
            _players.Remove(player.Socket.Id);
            _epoll!.Remove(player.Socket);
            player.Stream.RemoveViewer(player.Viewer);
            player.Statistics.Sample(_metrics);
            player.Grant.AddBytes(player.BytesSent);
            player.Grant.Dispose();
            if (_feeds.TryGetValue(player.Path, out var feed))
            {
                feed.Remove(player);
                if (feed.SessionCount == 0)
                {
                    feed.Dispose();
                    _feeds.Remove(player.Path);
                }
            }

            _metrics.BytesSent(Protocol, player.BytesSent);
            _metrics.ConnectionClosed(Protocol, "playing");
            Log.PlayEnded(_logger, player.Path, player.Remote, player.BytesSent);
            Untrack(player.Socket);
            player.Socket.Dispose();
        }
    }

    /// <summary>Ends grants whose caller never completed its handshake (a wrong passphrase, a timeout).</summary>
    private void SweepGrants()
    {
        if (_granted.IsEmpty)
        {
            return;
        }

        foreach (var (remote, entry) in _granted)
        {
            if (Environment.TickCount64 - entry.At > 10_000 && _granted.TryRemove(remote, out var stale))
            {
                stale.Grant.Dispose();
            }
        }
    }

    /// <summary>Feeds every connection's loss, retransmission, drop and RTT figures to the metrics (once a second).</summary>
    private void SampleLinks()
    {
        List<SrtPublishSession>? silent = null;
        foreach (var session in _sessions.Values)
        {
            session.Statistics.Sample(_metrics);
            if (session.CheckMedia() is { } problem)
            {
                Log.NoMedia(_logger, session.Path, session.Remote, problem);
                (silent ??= []).Add(session);
            }
        }

        foreach (var session in silent ?? [])
        {
            Close(session);
        }

        foreach (var player in _players.Values)
        {
            player.Statistics.Sample(_metrics);
        }
    }

    private void Refuse(SrtSocket socket, string remote, string streamId, string reason, string state)
    {
        Log.Refused(_logger, remote, streamId, reason);
        _metrics.ConnectionClosed(Protocol, state);
        Untrack(socket);
        socket.Dispose();
    }

    /// <summary>The server ended the session (revoked key, takeover): on the loop thread.</summary>
    private void Evict(SrtPublishSession session)
    {
        if (_sessions.TryGetValue(session.Socket.Id, out var current) && current == session)
        {
            Log.NoMedia(_logger, session.Path, session.Remote, session.EvictedReason ?? "ended by the server");
            Close(session);
        }
    }

    private void Close(SrtPublishSession session)
    {
        _epoll!.Remove(session.Socket);
        _sessions.Remove(session.Socket.Id);
        session.Statistics.Sample(_metrics);
        Log.PublishEnded(_logger, session.Path, session.Remote, session.Demuxer.PacketsRead, session.Demuxer.ContinuityErrors);
        _metrics.ConnectionClosed(Protocol, "publishing");
        Untrack(session.Socket);
        session.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(1400, LogLevel.Information, "SRT listening on {EndPoint} (latency {LatencyMs} ms)")]
        public static partial void Listening(ILogger logger, string endPoint, int latencyMs);

        [LoggerMessage(1401, LogLevel.Warning, "SRT caller {RemoteEndPoint} refused (streamid '{StreamId}'): {Reason}")]
        public static partial void Refused(ILogger logger, string remoteEndPoint, string streamId, string reason);

        [LoggerMessage(1408, LogLevel.Warning, "SRT caller {RemoteEndPoint} rejected (streamid '{StreamId}'): {Reason} (reject reason {RejectCode})")]
        public static partial void Rejected(ILogger logger, string remoteEndPoint, string streamId, string reason, int rejectCode);

        [LoggerMessage(1402, LogLevel.Information, "Publishing {StreamPath} over SRT from {RemoteEndPoint} ({Status})")]
        public static partial void PublishStarted(ILogger logger, string streamPath, string remoteEndPoint, PublishStatus status);

        [LoggerMessage(1403, LogLevel.Information, "SRT publish of {StreamPath} from {RemoteEndPoint} ended: {Packets} TS packets, {ContinuityErrors} continuity errors")]
        public static partial void PublishEnded(ILogger logger, string streamPath, string remoteEndPoint, long packets, long continuityErrors);

        [LoggerMessage(1406, LogLevel.Information, "SRT play of {StreamPath} started for {RemoteEndPoint}")]
        public static partial void PlayStarted(ILogger logger, string streamPath, string remoteEndPoint);

        [LoggerMessage(1407, LogLevel.Information, "SRT play of {StreamPath} for {RemoteEndPoint} ended after {Bytes} bytes")]
        public static partial void PlayEnded(ILogger logger, string streamPath, string remoteEndPoint, long bytes);

        [LoggerMessage(1409, LogLevel.Warning, "SRT publisher {RemoteEndPoint} of {StreamPath} disconnected: {Problem}")]
        public static partial void NoMedia(ILogger logger, string streamPath, string remoteEndPoint, string problem);

        [LoggerMessage(1404, LogLevel.Error, "SRT loop error")]
        public static partial void LoopError(ILogger logger, Exception exception);

        [LoggerMessage(1405, LogLevel.Warning, "{StreamPath}: TS stream type 0x{StreamType:X2} on PID {Pid} is not carried; ignored")]
        public static partial void UnsupportedStream(ILogger logger, string streamPath, int streamType, int pid);
    }

    /// <summary>One publishing caller: SRT messages in, TS demuxed, frames into the hub.</summary>
    private sealed class SrtPublishSession : IDisposable
    {
        /// <summary>A publisher that has sent no frame we can carry for this long is disconnected.</summary>
        private const long NoMediaTimeoutMs = 10_000;

        private readonly byte[] _buffer = new byte[1500];
        private readonly long _startedAt = Environment.TickCount64;
        private readonly StreamPublisher _publisher;
        private long _frames;
        private readonly LiveRelayMetrics _metrics;
        private Core.Media.TrackInfo? _video;
        private Core.Media.TrackInfo? _audio;

        public SrtPublishSession(SrtSocket socket, string remote, StreamPublisher publisher, SrtTransportStatistics statistics, LiveRelayMetrics metrics, ILogger logger)
        {
            Socket = socket;
            Statistics = statistics;
            Remote = remote;
            _publisher = publisher;
            _metrics = metrics;
            Demuxer = new Formats.Ts.TsDemuxer(OnFrame);
            var path = publisher.Stream.Path;
            Demuxer.UnsupportedStream += (pid, type) => Log.UnsupportedStream(logger, path, type, pid);
        }

        public SrtSocket Socket { get; }

        public SrtTransportStatistics Statistics { get; }

        public string Remote { get; }

        public string Path => _publisher.Stream.Path;

        public string? EvictedReason => _publisher.EvictedReason;

        public Formats.Ts.TsDemuxer Demuxer { get; }

        /// <summary>Reads everything ready; false when the caller is gone.</summary>
        public bool OnReadable()
        {
            long bytes = 0;
            try
            {
                while (true)
                {
                    var length = Socket.TryReceive(_buffer);
                    if (length < 0)
                    {
                        return true;
                    }

                    if (length == 0)
                    {
                        return false;
                    }

                    bytes += length;
                    Demuxer.Push(_buffer.AsSpan(0, length));
                }
            }
            catch (SrtException)
            {
                return false;
            }
            finally
            {
                _metrics.BytesReceived(Protocol, bytes);
            }
        }

        /// <summary>
        /// Null while the publisher sends media; otherwise (after 10 s with no frame) why not: no MPEG-TS
        /// program at all, or only streams we cannot carry. The path is freed for a publisher that works.
        /// </summary>
        public string? CheckMedia()
        {
            if (_frames > 0 || Environment.TickCount64 - _startedAt < NoMediaTimeoutMs)
            {
                return null;
            }

            return Demuxer.HasProgram
                ? "no audio or video stream it sends can be carried (H.264, H.265 and AAC are) in 10 s"
                : $"no MPEG-TS program (PAT/PMT) in 10 s ({Demuxer.PacketsRead} TS packets, {Demuxer.BytesSkipped} bytes that were not TS); SRT publishers must send MPEG-TS";
        }

        public void Dispose()
        {
            Demuxer.Flush();
            _publisher.Dispose();
            Socket.Dispose();
        }

        private void OnFrame(Core.Media.TrackInfo track, Core.Media.MediaFrame frame)
        {
            ref var known = ref track.Kind == Core.Media.MediaKind.Video ? ref _video : ref _audio;
            if (!ReferenceEquals(known, track))
            {
                known = track;
                _publisher.SetTrack(track);
            }

            _frames++;
            _publisher.Write(frame);
        }
    }
}
