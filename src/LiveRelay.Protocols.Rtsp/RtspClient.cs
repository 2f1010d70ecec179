using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using LiveRelay.Formats.Rtsp;
using LiveRelay.Formats.Sdp;

namespace LiveRelay.Protocols.Rtsp;

/// <summary>A refusal or protocol failure of an RTSP server, in words for the pull's state.</summary>
public sealed class RtspClientException(string message, int statusCode = 0) : Exception(message)
{
    /// <summary>The RTSP status that refused, or 0 when it was no status.</summary>
    public int StatusCode { get; } = statusCode;

    /// <summary>A refusal that retrying alone will not fix: credentials, permission, no such stream.</summary>
    public bool IsRefusal => StatusCode is 401 or 403 or 404 or 454 or 461;
}

/// <summary>
/// The control connection of an RTSP client (RFC 2326), over TCP or TLS (<c>rtsps://</c>, port 322 by
/// default): OPTIONS, DESCRIBE (Basic or Digest when challenged; a second 401 is "wrong username or
/// password", never a loop), SETUP of each track with RTP interleaved on this connection
/// (<c>interleaved=2n-2n+1</c>) or over UDP (<c>client_port</c>), PLAY (its RTP-Info kept), keep-alive by
/// GET_PARAMETER when the server lists it, else OPTIONS. After PLAY, <see cref="ReadFrameAsync"/> hands
/// out the interleaved packets (and skips the keep-alive answers).
/// </summary>
public sealed class RtspClient : IAsyncDisposable
{
    public const int DefaultPort = 554;
    public const int DefaultSecurePort = 322;

    private readonly Socket _socket;
    private readonly Stream _network;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly Uri _url;
    private readonly string? _user;
    private readonly string? _password;
    private string? _authorization;
    private string? _session;
    private int _cseq;
    private IReadOnlySet<string> _methods = new HashSet<string>();

    private RtspClient(Socket socket, Stream network, Uri url)
    {
        _socket = socket;
        _network = network;
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

    /// <summary>The RTP-Info of the PLAY response: where each track's timeline starts.</summary>
    public IReadOnlyList<RtpInfoEntry> RtpInfo { get; private set; } = [];

    /// <summary>The server's address (for RTP over UDP).</summary>
    public IPAddress RemoteAddress => Unmapped(((IPEndPoint)_socket.RemoteEndPoint!).Address);

    /// <summary>The local address of the control connection (the interface to receive UDP on).</summary>
    public IPAddress LocalAddress => Unmapped(((IPEndPoint)_socket.LocalEndPoint!).Address);

    public static async Task<RtspClient> ConnectAsync(Uri url, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        var secure = url.Scheme == "rtsps";
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream network;
        try
        {
            await socket.ConnectAsync(url.Host, url.Port > 0 ? url.Port : secure ? DefaultSecurePort : DefaultPort, cancellationToken).ConfigureAwait(false);
            network = new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        if (secure)
        {
            // rtsps://: TLS with the camera's certificate checked against the system's trusted roots.
            var tls = new SslStream(network, leaveInnerStreamOpen: false);
            try
            {
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = url.Host }, cancellationToken).ConfigureAwait(false);
            }
            catch (AuthenticationException ex)
            {
                await tls.DisposeAsync().ConfigureAwait(false);
                throw new RtspClientException($"TLS with {url.Host} failed: {ex.Message}");
            }
            catch
            {
                await tls.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            network = tls;
        }

        return new RtspClient(socket, network, url);
    }

    /// <summary>OPTIONS, DESCRIBE; the SDP and the base URL its relative controls resolve against.</summary>
    public async Task<(SessionDescription Sdp, Uri Base)> DescribeAsync(CancellationToken cancellationToken)
    {
        var options = await RequestAsync("OPTIONS", _url.ToString(), null, cancellationToken).ConfigureAwait(false);
        _methods = RtspHeaders.ParsePublic(options.Header("Public"));
        var response = await RequestAsync("DESCRIBE", _url.ToString(), "Accept: application/sdp\r\n", cancellationToken).ConfigureAwait(false);
        var baseUrl = response.Header("Content-Base") ?? response.Header("Content-Location") ?? _url.ToString();
        return (SessionDescription.Parse(response.Body), new Uri(baseUrl));
    }

    /// <summary>SETUP of one track over the control connection, on the interleaved channels <paramref name="rtpChannel"/> and +1.</summary>
    public Task<RtspTransport> SetupAsync(Uri baseUrl, MediaDescription media, int rtpChannel, CancellationToken cancellationToken) =>
        SetupAsync(baseUrl, media, $"RTP/AVP/TCP;unicast;interleaved={rtpChannel}-{rtpChannel + 1}", cancellationToken);

    /// <summary>SETUP of one track with RTP over UDP to <paramref name="clientRtpPort"/> (RTCP to the next port); the answer has the server's ports.</summary>
    public async Task<RtspTransport> SetupUdpAsync(Uri baseUrl, MediaDescription media, int clientRtpPort, CancellationToken cancellationToken)
    {
        var transport = await SetupAsync(baseUrl, media, $"RTP/AVP;unicast;client_port={clientRtpPort}-{clientRtpPort + 1}", cancellationToken).ConfigureAwait(false);
        return transport.ServerRtpPort is null
            ? throw new RtspClientException("SETUP: the server answered RTP over UDP without its server_port")
            : transport;
    }

    /// <summary>PLAY from the start of the live range; <see cref="RtpInfo"/> holds where each track starts.</summary>
    public async Task PlayAsync(Uri baseUrl, string? sessionControl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        var response = await RequestAsync("PLAY", sessionControl is null or "*" ? baseUrl.ToString() : TrackUrl(baseUrl, sessionControl), "Range: npt=0.000-\r\n", cancellationToken).ConfigureAwait(false);
        RtpInfo = RtspHeaders.ParseRtpInfo(response.Header("RTP-Info"));
    }

    /// <summary>The RTP-Info entry of a track (matched by its control URL), if the server sent one.</summary>
    public RtpInfoEntry? RtpInfoFor(Uri baseUrl, MediaDescription media)
    {
        ArgumentNullException.ThrowIfNull(media);
        var url = TrackUrl(baseUrl, media.Control);
        foreach (var entry in RtpInfo)
        {
            if (entry.Url == url || (media.Control is { Length: > 0 } control && entry.Url.EndsWith(control, StringComparison.Ordinal)))
            {
                return entry;
            }
        }

        return RtpInfo.Count == 1 && media.Control is null or "*" ? RtpInfo[0] : null;
    }

    /// <summary>Sends GET_PARAMETER (or OPTIONS when the server does not list it) without waiting for its answer (skipped when it comes between frames).</summary>
    public async Task KeepAliveAsync(CancellationToken cancellationToken)
    {
        WriteRequest(_methods.Contains("GET_PARAMETER") ? "GET_PARAMETER" : "OPTIONS", _url.ToString(), null);
        await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>TEARDOWN, best effort and without waiting (the connection closes next).</summary>
    public async Task TeardownAsync(Uri baseUrl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        if (_session is not null)
        {
            WriteRequest("TEARDOWN", baseUrl.ToString(), null);
            await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<RtspTransport> SetupAsync(Uri baseUrl, MediaDescription media, string transport, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        ArgumentNullException.ThrowIfNull(media);
        var response = await RequestAsync("SETUP", TrackUrl(baseUrl, media.Control), $"Transport: {transport}\r\n", cancellationToken).ConfigureAwait(false);
        if (_session is null && response.Header("Session") is { } session)
        {
            _session = session.Split(';')[0].Trim();
        }

        return RtspHeaders.ParseTransport(response.Header("Transport"));
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

    /// <summary>An IPv4 address as itself rather than as ::ffff:a.b.c.d (the dual-mode socket's view), so UDP binds and compares on IPv4.</summary>
    private static IPAddress Unmapped(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

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
                    throw new RtspClientException($"{method}: 401 Unauthorized, and the URL carries no user and password", 401);
                }

                if (attempt > 0)
                {
                    throw new RtspClientException($"{method}: 401 Unauthorized: wrong username or password", 401);
                }

                _authorization = RtspAuthentication.Respond(response.Header("WWW-Authenticate") ?? "", method, uri, _user, _password ?? "")
                    ?? throw new RtspClientException($"{method}: 401 with no Basic or Digest challenge", 401);
                continue;
            }

            if (response.StatusCode / 100 != 2)
            {
                throw new RtspClientException($"{method}: {response.StatusCode} {response.Reason}", response.StatusCode);
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
