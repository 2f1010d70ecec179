using System.Text.Json;
using LiveRelay.Integration.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LiveRelay.Integration.Tests.WebRtc;

/// <summary>
/// ICE-TCP (RFC 6544): a server of its own whose UDP candidate leads nowhere (port 1), so Chromium
/// must reach it over its passive TCP candidate, framed per RFC 4571; WHIP then works as over UDP.
/// </summary>
public sealed class IceTcpTests : IAsyncLifetime
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(45);
    private ServerProcess? _server;
    private Chromium? _chromium;

    public async Task InitializeAsync()
    {
        _server = await ServerProcess.StartAsync(
            $"--LiveRelay:Auth:AdminToken={ServerProcess.TestAdminToken}",
            "--LiveRelay:WebRtc:Candidates:0=127.0.0.1:1");
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
    }

    [Fact]
    public async Task WhipPublish_UdpUnreachable_ConnectsOverIceTcp_AndMediaFlows()
    {
        const string path = "live/over-tcp";
        await using var context = await _chromium!.NewContextAsync(_server!.HttpUrl("/"));
        var page = await context.NewPageAsync();

        await page.GotoAsync($"/publish?path={path}&quality=640x360&autostart=1");

        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync($"Live: {path}", new() { Timeout = 40_000 });
        var stream = await _server.WaitForStreamAsync(path, s => s.GetProperty("framesIn").GetInt64() > 100 && s.GetProperty("audio").ValueKind == JsonValueKind.Object, s_wait);
        Assert.Equal("H264", stream.GetProperty("video").GetProperty("codec").GetString());
        await _server.Process.WaitForOutputAsync("connected, SRTP", s_wait);
        Assert.Contains(_server.Log.Split('\n'), line => line.Contains("WebRTC peer", StringComparison.Ordinal) && line.Contains(" at tcp 127.0.0.1:", StringComparison.Ordinal) && line.Contains("connected", StringComparison.Ordinal));
    }
}
