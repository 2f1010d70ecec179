using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using LiveRelay.Formats.Rtsp;
using LiveRelay.Formats.Sdp;

namespace LiveRelay.Protocols.Rtsp;

/// <summary>A refusal or protocol failure of an RTSP server, in words for the pull's state.</summary>
public sealed class RtspClientException(string message) : Exception(message);

/// <summary>
/// The control connection of an RTSP client (RFC 2326) with RTP and RTCP interleaved on it:
/// OPTIONS, DESCRIBE (Basic or Digest when challenged; a second 401 is "wrong username or password",
/// never a loop), SETUP of each track over TCP (<c>interleaved=2n-2n+1</c>), PLAY, keep-alive by
/// OPTIONS. After PLAY, <see cref="ReadFrameAsync"/> hands out the interleaved packets.
/// </summary>
public sealed class RtspClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _network;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly Uri _url;
    private readonly string? _user;
    private readonly string? _password;
    private string? _authorization;
    private string? _session;
    private int _cseq;

    private RtspClient(Socket socket, Uri url)
    {
        _socket = socket;
        _network = new NetworkStream(socket, ownsSocket: true);
        _input = PipeReader.Create(_network);
        _output = PipeWriter.Create(_network);
        var userInfo = Uri.UnescapeDataString(url.UserInfo);
        var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        if (userInfo.Length > 0)
        {
            _user = colon >= 0 ? userInfo[..colon] : userInfo;
            _password = colon >= 0 ? userInfo[(colon + 1)..] : "";
        }

        // Requests never carry the credentials.
        _url = new UriBuilder(url) { UserName = "", Password = "" }.Uri;
    }

    /// <summary>The request URL without credentials.</summary>
    public Uri Url => _url;

    public long BytesReceived { get; private set; }

    public static async Task<RtspClient> ConnectAsync(Uri url, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(url.Host, url.Port > 0 ? url.Port : 554, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new RtspClient(socket, url);
    }

    /// <summary>OPTIONS, DESCRIBE; the SDP and the base URL its relative controls resolve against.</summary>
    public async Task<(SessionDescription Sdp, Uri Base)> DescribeAsync(CancellationToken cancellationToken)
    {
        await RequestAsync("OPTIONS", _url.ToString(), null, cancellationToken).ConfigureAwait(false);
        var response = await RequestAsync("DESCRIBE", _url.ToString(), "Accept: application/sdp\r\n", cancellationToken).ConfigureAwait(false);
        var baseUrl = response.Header("Content-Base") ?? response.Header("Content-Location") ?? _url.ToString();
        return (SessionDescription.Parse(response.Body), new Uri(baseUrl));
    }

    /// <summary>SETUP of one track over the control connection, on the interleaved channels <paramref name="rtpChannel"/> and +1.</summary>
    public async Task SetupAsync(Uri baseUrl, MediaDescription media, int rtpChannel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        ArgumentNullException.ThrowIfNull(media);
        var response = await RequestAsync("SETUP", TrackUrl(baseUrl, media.Control), $"Transport: RTP/AVP/TCP;unicast;interleaved={rtpChannel}-{rtpChannel + 1}\r\n", cancellationToken).ConfigureAwait(false);
        if (_session is null && response.Header("Session") is { } session)
        {
            _session = session.Split(';')[0].Trim();
        }
    }

    public Task PlayAsync(Uri baseUrl, string? sessionControl, CancellationToken cancellationToken) =>
        RequestAsync("PLAY", sessionControl is null or "*" ? baseUrl.ToString() : TrackUrl(baseUrl, sessionControl), "Range: npt=0.000-\r\n", cancellationToken);

    /// <summary>Sends OPTIONS without waiting for its answer (it is skipped when it comes between frames).</summary>
    public async Task KeepAliveAsync(CancellationToken cancellationToken)
    {
        WriteRequest("OPTIONS", _url.ToString(), null);
        await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The next interleaved frame's channel and bytes (copied into <paramref name="buffer"/>), or null at the end of the connection.</summary>
    public async ValueTask<(byte Channel, int Length)?> ReadFrameAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        while (true)
        {
            var result = await _input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var sequence = result.Buffer;
            var reader = new SequenceReader<byte>(sequence);
            var consumed = false;
            try
            {
                if (RtspReader.IsInterleaved(sequence))
                {
                    if (RtspReader.TryReadInterleaved(ref reader, out var channel, out var data))
                    {
                        consumed = true;
                        data.CopyTo(buffer);
                        BytesReceived += 4 + data.Length;
                        return (channel, (int)data.Length);
                    }
                }
                else if (!sequence.IsEmpty && RtspReader.TryReadResponse(ref reader, out _))
                {
                    // The answer to a keep-alive.
                    consumed = true;
                    continue;
                }
            }
            finally
            {
                if (consumed)
                {
                    _input.AdvanceTo(reader.Position);
                }
                else
                {
                    _input.AdvanceTo(reader.Position, sequence.End);
                }
            }

            if (result.IsCompleted)
            {
                return null;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _input.CompleteAsync().ConfigureAwait(false);
        await _output.CompleteAsync().ConfigureAwait(false);
        await _network.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();
    }

    private static string TrackUrl(Uri baseUrl, string? control)
    {
        if (control is null or "*")
        {
            return baseUrl.ToString();
        }

        if (control.StartsWith("rtsp://", StringComparison.OrdinalIgnoreCase) || control.StartsWith("rtsps://", StringComparison.OrdinalIgnoreCase))
        {
            return control;
        }

        var text = baseUrl.ToString();
        return text.EndsWith('/') ? text + control : text + "/" + control;
    }

    /// <summary>Sends a request and reads its response; answers one 401 with credentials.</summary>
    private async Task<RtspResponse> RequestAsync(string method, string uri, string? headers, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            WriteRequest(method, uri, headers);
            await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
            var response = await ReadResponseAsync(cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == 401)
            {
                if (_user is null)
                {
                    throw new RtspClientException($"{method}: 401 Unauthorized, and the URL carries no user and password");
                }

                if (attempt > 0)
                {
                    throw new RtspClientException($"{method}: 401 Unauthorized: wrong username or password");
                }

                _authorization = RtspAuthentication.Respond(response.Header("WWW-Authenticate") ?? "", method, uri, _user, _password ?? "")
                    ?? throw new RtspClientException($"{method}: 401 with no Basic or Digest challenge");
                continue;
            }

            if (response.StatusCode / 100 != 2)
            {
                throw new RtspClientException($"{method}: {response.StatusCode} {response.Reason}");
            }

            return response;
        }
    }

    private void WriteRequest(string method, string uri, string? headers)
    {
        var request = new StringBuilder()
            .Append(method).Append(' ').Append(uri).Append(" RTSP/1.0\r\n")
            .Append("CSeq: ").Append(++_cseq).Append("\r\n")
            .Append("User-Agent: LiveRelay\r\n");
        if (_authorization is not null)
        {
            // A Digest answer is for one method and URI: recompute it for this request.
            request.Append("Authorization: ").Append(_authorization.StartsWith("Digest", StringComparison.Ordinal) ? Redigest(method, uri) : _authorization).Append("\r\n");
        }

        if (_session is not null)
        {
            request.Append("Session: ").Append(_session).Append("\r\n");
        }

        request.Append(headers).Append("\r\n");
        _output.Write(Encoding.UTF8.GetBytes(request.ToString()));
    }

    private string Redigest(string method, string uri)
    {
        var realm = RtspAuthentication.Parameter(_authorization!, "realm");
        var nonce = RtspAuthentication.Parameter(_authorization!, "nonce");
        return RtspAuthentication.Respond($"Digest realm=\"{realm}\", nonce=\"{nonce}\"", method, uri, _user!, _password ?? "")!;
    }

    private async Task<RtspResponse> ReadResponseAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var sequence = result.Buffer;
            var reader = new SequenceReader<byte>(sequence);
            RtspResponse? response = null;
            var skipped = false;
            try
            {
                if (RtspReader.IsInterleaved(sequence))
                {
                    // Media that arrives before the answer (PLAY on a busy camera) is dropped here.
                    skipped = RtspReader.TryReadInterleaved(ref reader, out _, out _);
                }
                else if (!sequence.IsEmpty)
                {
                    RtspReader.TryReadResponse(ref reader, out response);
                }
            }
            finally
            {
                if (response is not null || skipped)
                {
                    _input.AdvanceTo(reader.Position);
                }
                else
                {
                    _input.AdvanceTo(reader.Position, sequence.End);
                }
            }

            if (response is not null)
            {
                return response;
            }

            if (!skipped && result.IsCompleted)
            {
                throw new RtspClientException("the server closed the connection");
            }
        }
    }
}
