using System.Net;
using System.Text.Json;
using LiveRelay.Integration.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LiveRelay.Integration.Tests.WebRtc;

/// <summary>
/// WHIP over a path that loses packets: the server advertises a UDP relay that drops 3 % of the
/// media datagrams both ways (a server of its own, since its candidate names the relay); the publisher's
/// lost video packets are NACKed and come back as retransmissions, and the picture still decodes.
/// </summary>
public sealed class WebRtcLossTests : IAsyncLifetime
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(45);
    private readonly TempFiles _files = new();
    private readonly int _webRtcPort = FreePort.Udp();
    private LossyUdpRelay? _relay;
    private ServerProcess? _server;
    private Chromium? _chromium;

    public async Task InitializeAsync()
    {
        // STUN and DTLS pass (their own retransmission is not under test; on a busy machine a lost
        // handshake flight costs seconds); 3 % of the SRTP and SRTCP is lost both ways.
        _relay = new LossyUdpRelay(new IPEndPoint(IPAddress.Loopback, _webRtcPort), dropRate: 0.03, seed: 7, spareWebRtcHandshakes: true);
        _server = await ServerProcess.StartAsync(
            $"--LiveRelay:Auth:AdminToken={ServerProcess.TestAdminToken}",
            $"--LiveRelay:WebRtc:UdpPort={_webRtcPort}",
            $"--LiveRelay:WebRtc:Candidates:0=127.0.0.1:{_relay.Port}",
            "--LiveRelay:Hls:SegmentSeconds=1");
        _chromium = await Chromium.LaunchAsync(Chromium.FakeMedia);
    }

    public async Task DisposeAsync()
    {
        if (_chromium is not null)
        {
            await _chromium.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_relay is not null)
        {
            await _relay.DisposeAsync();
        }

        _files.Dispose();
    }

    [Fact]
    public async Task WhipThroughLossyPath_LostVideoIsNackedAndRetransmitted_AndHlsDecodes()
    {
        const string path = "live/lossy";
        await using var context = await _chromium!.NewContextAsync(_server!.HttpUrl("/"));
        var page = await context.NewPageAsync();

        await page.GotoAsync($"/publish?path={path}&quality=640x360&autostart=1");

        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync($"Live: {path}", new() { Timeout = 30_000 });
        var stream = await _server.WaitForStreamAsync(
            path,
            s => s.GetProperty("publisher").GetProperty("transport") is { ValueKind: JsonValueKind.Object } t && t.GetProperty("packetsRetransmitted").GetDouble() > 0 && s.GetProperty("framesIn").GetInt64() > 100,
            s_wait);
        var transport = stream.GetProperty("publisher").GetProperty("transport");
        Assert.True(transport.GetProperty("packetsNacked").GetDouble() > 0, transport.ToString());
        Assert.True(_relay!.DroppedUpstream > 0);
        var file = _files.File("lossy.ts");
        await using var player = Ffmpeg.Record(_server.HttpUrl($"{path}/index.m3u8"), file, 3);
        Assert.True(await player.WaitForExitAsync(s_wait) == 0, player.AllOutput);
        Assert.Equal("h264", (await Ffmpeg.ProbeAsync(file)).Video.GetProperty("codec_name").GetString());
    }
}
