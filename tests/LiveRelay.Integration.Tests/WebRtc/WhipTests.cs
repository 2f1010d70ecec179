using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using LiveRelay.Integration.Tests.Infrastructure;
using LiveRelay.Protocols.WebRtc.Stun;
using Microsoft.Playwright;

namespace LiveRelay.Integration.Tests.WebRtc;

/// <summary>
/// WHIP ingest from a real browser: headless Chromium with a fake camera and microphone publishes
/// through the server's own /publish page; ffprobe reads what players get. Plus the HTTP contract
/// and bad offers, and a STUN check with a wrong password on the WebRTC port.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class WhipTests(ServerFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(45);
    private readonly ServerProcess _server = fixture.Server;
    private readonly TempFiles _files = new();
    private Chromium? _chromium;

    public async Task InitializeAsync() => _chromium = await Chromium.LaunchAsync(Chromium.FakeMedia);

    public async Task DisposeAsync()
    {
        if (_chromium is not null)
        {
            await _chromium.DisposeAsync();
        }

        _files.Dispose();
    }

    [Fact]
    public async Task PublishPage_FakeCamera_IsLiveOverWebRtc_AndHlsHasH264AndAacWithAdvancingTimestamps()
    {
        var path = $"live/whip-{Guid.NewGuid():N}"[..24];
        await using var context = await _chromium!.NewContextAsync(_server.HttpUrl("/"));
        var page = await context.NewPageAsync();

        await page.GotoAsync($"/publish?path={path}&quality=640x360&autostart=1");

        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync($"Live: {path}", new() { Timeout = 30_000 });
        var stream = await _server.WaitForStreamAsync(path, s => s.GetProperty("framesIn").GetInt64() > 150 && s.GetProperty("audio").ValueKind == JsonValueKind.Object, s_wait);
        Assert.Equal("webrtc", stream.GetProperty("publisher").GetProperty("protocol").GetString());
        Assert.Equal("H264", stream.GetProperty("video").GetProperty("codec").GetString());
        Assert.Equal("AAC", stream.GetProperty("audio").GetProperty("codec").GetString());
        var file = _files.File("whip.ts");
        await using (var player = Ffmpeg.Record(_server.HttpUrl($"{path}/index.m3u8"), file, 3))
        {
            Assert.True(await player.WaitForExitAsync(s_wait) == 0, player.AllOutput);
        }

        var probe = await Ffmpeg.ProbeAsync(file);
        Assert.Equal("h264", probe.Video.GetProperty("codec_name").GetString());
        Assert.Equal("aac", probe.Audio.GetProperty("codec_name").GetString());
        var video = await Ffmpeg.PacketsAsync(file, "v:0");
        var audio = await Ffmpeg.PacketsAsync(file, "a:0");
        Assert.True(video.Count > 30 && audio.Count > 50, $"{video.Count} video and {audio.Count} audio packets");
        Assert.True(video[^1].Dts - video[0].Dts > 1.5, $"video from {video[0].Dts} to {video[^1].Dts}");
        Assert.True(audio[^1].Dts - audio[0].Dts > 1.5, $"audio from {audio[0].Dts} to {audio[^1].Dts}");
        Assert.All(video.Zip(video.Skip(1)), pair => Assert.True(pair.Second.Dts > pair.First.Dts));

        // The same stream plays back over WHEP in another page (H.264 passthrough, AAC back to Opus).
        var viewer = await context.NewPageAsync();
        await viewer.GotoAsync($"/play?path={path}&autoplay=1");
        await Assertions.Expect(viewer.Locator("#status")).ToHaveTextAsync($"Playing {path}", new() { Timeout = 30_000 });
        await WhepTests.WaitForStatsAsync(viewer, s => s.FramesDecoded > 20 && s.AudioPackets > 20);
        await viewer.CloseAsync();

        // Stop: the page DELETEs its session and the publisher leaves.
        await page.Locator("#stop").ClickAsync();
        await _server.WaitForStreamAsync(path, s => s.GetProperty("publisher").ValueKind != JsonValueKind.Object, s_wait);
        await _server.Process.WaitForOutputAsync($"WHIP publish of {path} ended", s_wait);
    }

    [Fact]
    public async Task Whip_HttpContract_CorsOptions_BadOffers_AndUnknownSessions()
    {
        var http = _server.Http;
        using var options = new HttpRequestMessage(HttpMethod.Options, "/whip/live/contract");
        var preflight = await http.SendAsync(options);
        Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
        Assert.Equal("*", preflight.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("Location", preflight.Headers.GetValues("Access-Control-Expose-Headers").Single());

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await PostAsync("/whip/live/contract", Offers.H264AndOpus, "text/plain")).StatusCode);
        var garbage = await PostAsync("/whip/live/contract", "this is not SDP");
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
        var noCodec = await PostAsync("/whip/live/contract", Offers.Vp8Only);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noCodec.StatusCode);
        Assert.Contains("no usable codec", await noCodec.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync("/whip/session/0123456789abcdef01234567")).StatusCode);

        // A good offer: 201 with an answer and a Location; a second publisher of the path is refused; DELETE ends it.
        var created = await PostAsync("/whip/live/contract", Offers.H264AndOpus);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("application/sdp", created.Content.Headers.ContentType?.MediaType);
        var answer = await created.Content.ReadAsStringAsync();
        Assert.Contains("a=ice-lite", answer);
        Assert.Contains($"127.0.0.1 {_server.WebRtcPort} typ host", answer);
        var location = created.Headers.Location!.ToString();
        Assert.StartsWith("/whip/session/", location);
        Assert.Equal(HttpStatusCode.Conflict, (await PostAsync("/whip/live/contract", Offers.H264AndOpus)).StatusCode);
        using var patch = new HttpRequestMessage(HttpMethod.Patch, location) { Content = new StringContent("a=candidate:1", Encoding.UTF8, "application/trickle-ice-sdpfrag") };
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await http.SendAsync(patch)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.DeleteAsync(location)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await PostAsync("/whip/live/contract", Offers.H264AndOpus)).StatusCode);

        // Refusals are counted, and open sessions too.
        var metrics = await http.GetStringAsync("/metrics");
        Assert.Contains("liverelay_webrtc_dropped_total{reason=\"offer_no_codec\"}", metrics);
        Assert.Contains("liverelay_webrtc_dropped_total{reason=\"offer_malformed\"}", metrics);
        Assert.Contains("liverelay_webrtc_sessions{kind=\"whip\"}", metrics);
    }

    [Fact]
    public async Task StunCheck_WrongPassword_Is401_AndRightPasswordIsAnswered()
    {
        var created = await PostAsync($"/whip/live/stun-{Guid.NewGuid():N}"[..24], Offers.H264AndOpus);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var answer = await created.Content.ReadAsStringAsync();
        var ufrag = Attribute(answer, "ice-ufrag");
        var password = Attribute(answer, "ice-pwd");
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var server = new IPEndPoint(IPAddress.Loopback, _server.WebRtcPort);

        var wrong = await CheckAsync(udp, server, $"{ufrag}:client", "not-the-password-at-all");
        Assert.Equal(StunClass.ErrorResponse, wrong.Class);
        Assert.Equal(401, wrong.Error!.Value.Code);

        var right = await CheckAsync(udp, server, $"{ufrag}:client", password);
        Assert.Equal(StunClass.SuccessResponse, right.Class);
        Assert.Equal(((IPEndPoint)udp.Client.LocalEndPoint!).Port, right.XorMappedAddress!.Port);
        await _server.Http.DeleteAsync(created.Headers.Location);
    }

    [Fact]
    public async Task Session_IceButNoDtls_IsClosedAfterTheHandshakeTimeout_AndThePathIsFreeAgain()
    {
        var path = $"live/nodtls-{Guid.NewGuid():N}"[..24];
        var created = await PostAsync($"/whip/{path}", Offers.H264AndOpus);
        var answer = await created.Content.ReadAsStringAsync();
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));

        // A valid check starts the DTLS handshake, which the "peer" never answers.
        var check = await CheckAsync(udp, new IPEndPoint(IPAddress.Loopback, _server.WebRtcPort), $"{Attribute(answer, "ice-ufrag")}:client", Attribute(answer, "ice-pwd"));
        Assert.Equal(StunClass.SuccessResponse, check.Class);

        await _server.Process.WaitForOutputAsync($"WHIP publish of {path} ended", s_wait);
        Assert.Contains("the DTLS handshake did not complete in time", _server.Log);
        Assert.Equal(HttpStatusCode.Created, (await PostAsync($"/whip/{path}", Offers.H264AndOpus)).StatusCode);
    }

    private static async Task<StunMessage> CheckAsync(UdpClient udp, IPEndPoint server, string username, string password)
    {
        var request = new byte[256];
        var transaction = new byte[12];
        Random.Shared.NextBytes(transaction);
        var length = StunWriter.WriteBindingRequest(request, transaction, username, 1_845_501_695, 0x1234_5678_9ABC_DEF0, controlling: true, useCandidate: false, Encoding.UTF8.GetBytes(password));
        await udp.SendAsync(request.AsMemory(0, length), server);
        using var timeout = new CancellationTokenSource(s_wait);
        var reply = await udp.ReceiveAsync(timeout.Token);
        Assert.True(StunMessage.TryParse(reply.Buffer, out var message, out var error), error);
        Assert.Equal(transaction, message!.TransactionId);
        return message;
    }

    private static string Attribute(string sdp, string name) =>
        sdp.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith($"a={name}:", StringComparison.Ordinal))[(name.Length + 3)..];

    private Task<HttpResponseMessage> PostAsync(string path, string body, string contentType = "application/sdp")
    {
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return _server.Http.PostAsync(path, content);
    }
}
