using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LiveRelay.Protocols.Rtsp.Tests;

/// <summary>One request as the client wrote it: the request line and the headers (the client sends no bodies).</summary>
internal sealed record RtspRequest(string Method, string Uri, IReadOnlyDictionary<string, string> Headers)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public int CSeq => int.Parse(Header("CSeq") ?? "-1", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// An RTSP server on an ephemeral loopback port that does only what the test tells it: it reads the
/// client's requests one at a time and writes the bytes it is given, exactly.
/// </summary>
internal sealed class ScriptedRtspServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<byte> _pending = [];
    private TcpClient? _connection;
    private NetworkStream? _stream;

    public ScriptedRtspServer()
    {
        _listener.Start();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The stream's URL, with <paramref name="userInfo"/> (user:password, URL-escaped) when given.</summary>
    public Uri Url(string? userInfo = null) => new($"rtsp://{(userInfo is null ? "" : userInfo + "@")}127.0.0.1:{Port}/stream");

    /// <summary>An RTSP response: status line, CSeq, the given header lines (each ending in CRLF), Content-Length when there is a body.</summary>
    public static string Response(int cseq, string status = "200 OK", string headers = "", string body = "") =>
        $"RTSP/1.0 {status}\r\nCSeq: {cseq}\r\n{headers}{(body.Length > 0 ? $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n" : "")}\r\n{body}";

    /// <summary>An interleaved frame: '$' | channel | length (16, big-endian) | data.</summary>
    public static byte[] Interleaved(byte channel, byte[] data) => [(byte)'$', channel, (byte)(data.Length >> 8), (byte)data.Length, .. data];

    /// <summary>The next request, or null when the client closed the connection.</summary>
    public async Task<RtspRequest?> ReadRequestAsync(CancellationToken cancellationToken)
    {
        var stream = await StreamAsync(cancellationToken);
        var buffer = new byte[4096];
        int end;
        while ((end = HeaderEnd()) < 0)
        {
            var read = await stream.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                Assert.Empty(_pending);
                return null;
            }

            _pending.AddRange(buffer.AsSpan(0, read));
        }

        var text = Encoding.UTF8.GetString([.. _pending.Take(end)]);
        _pending.RemoveRange(0, end + 4);
        var lines = text.Split("\r\n");
        var requestLine = lines[0].Split(' ');
        Assert.Equal(3, requestLine.Length);
        Assert.Equal("RTSP/1.0", requestLine[2]);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            Assert.True(colon > 0, $"a header line without a colon: '{line}'");
            headers.Add(line[..colon], line[(colon + 1)..].Trim());
        }

        return new RtspRequest(requestLine[0], requestLine[1], headers);
    }

    /// <summary>Reads the next request and checks its method.</summary>
    public async Task<RtspRequest> ExpectAsync(string method, CancellationToken cancellationToken)
    {
        var request = await ReadRequestAsync(cancellationToken);
        Assert.NotNull(request);
        Assert.Equal(method, request.Method);
        return request;
    }

    public Task WriteAsync(string text, CancellationToken cancellationToken) => WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);

    public async Task WriteAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        var stream = await StreamAsync(cancellationToken);
        await stream.WriteAsync(bytes, cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    /// <summary>Closes the connection to the client (the listener stays).</summary>
    public async Task CloseConnectionAsync(CancellationToken cancellationToken)
    {
        var stream = await StreamAsync(cancellationToken);
        await stream.DisposeAsync();
        _connection!.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (_stream is not null)
        {
            await _stream.DisposeAsync();
        }

        _connection?.Dispose();
        _listener.Stop();
        _listener.Dispose();
    }

    private async Task<NetworkStream> StreamAsync(CancellationToken cancellationToken)
    {
        if (_stream is null)
        {
            _connection = await _listener.AcceptTcpClientAsync(cancellationToken);
            _stream = _connection.GetStream();
        }

        return _stream;
    }

    private int HeaderEnd()
    {
        for (var i = 0; i + 3 < _pending.Count; i++)
        {
            if (_pending[i] == '\r' && _pending[i + 1] == '\n' && _pending[i + 2] == '\r' && _pending[i + 3] == '\n')
            {
                return i;
            }
        }

        return -1;
    }
}
