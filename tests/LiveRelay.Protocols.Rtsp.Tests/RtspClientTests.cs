using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using LiveRelay.Formats.Sdp;

namespace LiveRelay.Protocols.Rtsp.Tests;

/// <summary>The RTSP client's control connection against a scripted server on a loopback port.</summary>
public sealed partial class RtspClientTests : IAsyncLifetime
{
    private const string Realm = "IP Camera(C6148)";
    private const string Nonce = "4f8b2a1c9d0e3f57";
    private const string Session = "3A7F9C21";

    private const string Sdp =
        "v=0\r\n" +
        "o=- 1 1 IN IP4 127.0.0.1\r\n" +
        "s=Scripted\r\n" +
        "t=0 0\r\n" +
        "a=control:*\r\n" +
        "m=video 0 RTP/AVP 96\r\n" +
        "a=rtpmap:96 H264/90000\r\n" +
        "a=fmtp:96 packetization-mode=1\r\n" +
        "a=control:trackID=0\r\n" +
        "m=audio 0 RTP/AVP 97\r\n" +
        "a=rtpmap:97 MPEG4-GENERIC/48000/2\r\n" +
        "a=fmtp:97 streamtype=5; profile-level-id=1; mode=AAC-hbr; config=1190; sizelength=13; indexlength=3; indexdeltalength=3\r\n" +
        "a=control:trackID=1\r\n";

    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(20));
    private readonly ScriptedRtspServer _server = new();

    private CancellationToken Token => _timeout.Token;

    private string StreamUri => $"rtsp://127.0.0.1:{_server.Port}/stream";

    private string BaseUri => StreamUri + "/";

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _timeout.Dispose();
    }

    private static string Md5(string text) =>
#pragma warning disable CA5351 // RFC 2617 Digest is MD5 by definition.
        Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));
#pragma warning restore CA5351

    private static Dictionary<string, string> DigestFields(string? authorization)
    {
        Assert.NotNull(authorization);
        Assert.StartsWith("Digest ", authorization, StringComparison.Ordinal);
        return DigestField().Matches(authorization).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
    }

    /// <summary>Checks an Authorization header against the RFC 2617 answer (no qop) computed here.</summary>
    private static void AssertDigest(RtspRequest request, string user, string password)
    {
        var fields = DigestFields(request.Header("Authorization"));
        var ha1 = Md5($"{user}:{Realm}:{password}");
        var ha2 = Md5($"{request.Method}:{request.Uri}");
        Assert.Equal(user, fields["username"]);
        Assert.Equal(Realm, fields["realm"]);
        Assert.Equal(Nonce, fields["nonce"]);
        Assert.Equal(request.Uri, fields["uri"]);
        Assert.Equal(Md5($"{ha1}:{Nonce}:{ha2}"), fields["response"]);
    }

    private static string Unauthorized(int cseq) =>
        ScriptedRtspServer.Response(cseq, "401 Unauthorized", $"WWW-Authenticate: Basic realm=\"{Realm}\"\r\nWWW-Authenticate: Digest realm=\"{Realm}\", nonce=\"{Nonce}\", stale=\"FALSE\"\r\n");

    /// <summary>OPTIONS (answered with <paramref name="publicMethods"/>) and DESCRIBE (answered with the SDP and a Content-Base).</summary>
    private async Task<(SessionDescription Sdp, Uri Base)> DescribeAsync(RtspClient client, string publicMethods)
    {
        var describe = client.DescribeAsync(Token);
        var options = await _server.ExpectAsync("OPTIONS", Token);
        await _server.WriteAsync(ScriptedRtspServer.Response(options.CSeq, headers: $"Public: {publicMethods}\r\n"), Token);
        var request = await _server.ExpectAsync("DESCRIBE", Token);
        await _server.WriteAsync(ScriptedRtspServer.Response(request.CSeq, headers: $"Content-Type: application/sdp\r\nContent-Base: {BaseUri}\r\n", body: Sdp), Token);
        return await describe;
    }

    [Fact]
    public async Task DescribeAsync_DigestChallenge_AnswersPerRfc2617AndReturnsSdpAndContentBase()
    {
        // The password "p@ss" is URL-escaped in the URL.
        await using var client = await RtspClient.ConnectAsync(_server.Url("admin:p%40ss"), Token);
        Assert.Equal(IPAddress.Loopback, client.RemoteAddress);
        Assert.Equal(new Uri(StreamUri), client.Url);

        var describe = client.DescribeAsync(Token);
        var options = await _server.ExpectAsync("OPTIONS", Token);
        Assert.Equal(StreamUri, options.Uri);
        Assert.Null(options.Header("Authorization"));
        await _server.WriteAsync(ScriptedRtspServer.Response(options.CSeq, headers: "Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN\r\n"), Token);

        var first = await _server.ExpectAsync("DESCRIBE", Token);
        Assert.Null(first.Header("Authorization"));
        Assert.Equal("application/sdp", first.Header("Accept"));
        await _server.WriteAsync(Unauthorized(first.CSeq), Token);

        var second = await _server.ExpectAsync("DESCRIBE", Token);
        Assert.Equal(StreamUri, second.Uri);
        Assert.True(second.CSeq > first.CSeq);
        AssertDigest(second, "admin", "p@ss");
        await _server.WriteAsync(ScriptedRtspServer.Response(second.CSeq, headers: $"Content-Type: application/sdp\r\nContent-Base: {BaseUri}\r\n", body: Sdp), Token);

        var (sdp, baseUrl) = await describe;
        Assert.Equal(new Uri(BaseUri), baseUrl);
        Assert.Equal("*", sdp.Control);
        Assert.Equal(["H264", "MPEG4-GENERIC"], sdp.Media.Select(m => m.Encoding));
        Assert.Equal(["trackID=0", "trackID=1"], sdp.Media.Select(m => m.Control));
        Assert.Equal("1190", sdp.Media[1].Format["config"]);
    }

    [Fact]
    public async Task DescribeAsync_SecondUnauthorized_RefusalSayingWrongPasswordWithoutAThirdTry()
    {
        var client = await RtspClient.ConnectAsync(_server.Url("admin:wrong"), Token);
        var describe = client.DescribeAsync(Token);
        var options = await _server.ExpectAsync("OPTIONS", Token);
        await _server.WriteAsync(ScriptedRtspServer.Response(options.CSeq), Token);
        var first = await _server.ExpectAsync("DESCRIBE", Token);
        await _server.WriteAsync(Unauthorized(first.CSeq), Token);
        var second = await _server.ExpectAsync("DESCRIBE", Token);
        AssertDigest(second, "admin", "wrong");
        await _server.WriteAsync(Unauthorized(second.CSeq), Token);

        var error = await Assert.ThrowsAsync<RtspClientException>(() => describe);
        Assert.Equal(401, error.StatusCode);
        Assert.True(error.IsRefusal);
        Assert.Contains("wrong username or password", error.Message, StringComparison.Ordinal);

        await client.DisposeAsync();
        Assert.Null(await _server.ReadRequestAsync(Token));
    }

    [Fact]
    public async Task DescribeAsync_UnauthorizedWithoutCredentials_RefusalSayingTheUrlHasNone()
    {
        await using var client = await RtspClient.ConnectAsync(_server.Url(), Token);
        var describe = client.DescribeAsync(Token);
        var options = await _server.ExpectAsync("OPTIONS", Token);
        await _server.WriteAsync(Unauthorized(options.CSeq), Token);

        var error = await Assert.ThrowsAsync<RtspClientException>(() => describe);
        Assert.Equal(401, error.StatusCode);
        Assert.True(error.IsRefusal);
        Assert.Contains("no user and password", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("404 Not Found", 404, true)]
    [InlineData("403 Forbidden", 403, true)]
    [InlineData("454 Session Not Found", 454, true)]
    [InlineData("503 Service Unavailable", 503, false)]
    [InlineData("500 Internal Server Error", 500, false)]
    public async Task DescribeAsync_ErrorStatus_ExceptionWithStatusAndRefusalFlag(string status, int code, bool refusal)
    {
        await using var client = await RtspClient.ConnectAsync(_server.Url(), Token);
        var describe = client.DescribeAsync(Token);
        var options = await _server.ExpectAsync("OPTIONS", Token);
        await _server.WriteAsync(ScriptedRtspServer.Response(options.CSeq), Token);
        var request = await _server.ExpectAsync("DESCRIBE", Token);
        await _server.WriteAsync(ScriptedRtspServer.Response(request.CSeq, status), Token);

        var error = await Assert.ThrowsAsync<RtspClientException>(() => describe);
        Assert.Equal(code, error.StatusCode);
        Assert.Equal(refusal, error.IsRefusal);
        Assert.Contains(status, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DescribeAsync_HttpStatusLine_InvalidDataWithoutWaiting()
    {
        await using var client = await RtspClient.ConnectAsync(_server.Url(), Token);
        var describe = client.DescribeAsync(Token);
        await _server.ExpectAsync("OPTIONS", Token);

        // The connection stays open: only the parse can end the wait before the guard's timeout.
        await _server.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", Token);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => describe);
        Assert.Contains("HTTP/1.1 200 OK", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DescribeAsync_BinaryGarbageWithoutHeaderEnd_InvalidDataWithoutWaiting()
    {
        await using var client = await RtspClient.ConnectAsync(_server.Url(), Token);
        var describe = client.DescribeAsync(Token);
        await _server.ExpectAsync("OPTIONS", Token);

        // More than the 16 KB header limit, no CR (so no header end), not starting with '$'; the connection stays open.
        var garbage = new byte[20 * 1024];
        new Random(1234).NextBytes(garbage);
        for (var i = 0; i < garbage.Length; i++)
        {
            garbage[i] = garbage[i] is (byte)'\r' or (byte)'$' ? (byte)'x' : garbage[i];
        }

        await _server.WriteAsync(garbage, Token);

        await Assert.ThrowsAsync<InvalidDataException>(() => describe);
    }

    [Fact]
    public async Task DescribeAsync_GarbageThenClose_RtspClientExceptionNotARefusal()
    {
        await using var client = await RtspClient.ConnectAsync(_server.Url(), Token);
        var describe = client.DescribeAsync(Token);
        await _server.ExpectAsync("OPTIONS", Token);
        await _server.WriteAsync([0x01, 0x02, .. "garbage"u8, 0xFE], Token);
        await _server.CloseConnectionAsync(Token);

        var error = await Assert.ThrowsAsync<RtspClientException>(() => describe);
        Assert.Equal(0, error.StatusCode);
        Assert.False(error.IsRefusal);
        Assert.Contains("closed the connection", error.Message, StringComparison.Ordinal);
    }

    [GeneratedRegex("(\\w+)=\"([^\"]*)\"")]
    private static partial Regex DigestField();
}
