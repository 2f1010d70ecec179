using System.Net;
using System.Text;
using System.Text.Json;
using LiveRelay.Integration.Tests.Infrastructure;
using LiveRelay.Integration.Tests.Newsroom;
using Microsoft.Playwright;

namespace LiveRelay.Integration.Tests.WebRtc;

/// <summary>WHEP playback in a real browser: headless Chromium plays through the server's /play page; getStats says what arrived.</summary>
[Collection(ServerCollection.Name)]
public sealed class WhepTests(ServerFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(45);
    private readonly ServerProcess _server = fixture.Server;
    private Chromium? _chromium;

    public async Task InitializeAsync() => _chromium = await Chromium.LaunchAsync(Chromium.FakeMedia);

    public async Task DisposeAsync()
    {
        if (_chromium is not null)
        {
            await _chromium.DisposeAsync();
        }
    }

    [Fact]
    public async Task PlayPage_RtmpPublishedStream_PlaysOverWebRtc_FramesDecodedAndAudioReceived()
    {
        var path = $"live/whep-{Guid.NewGuid():N}"[..24];
        await using var publisher = await new NewsroomDriver(_server).PublishAsync(path, seconds: 120);
        await using var context = await _chromium!.NewContextAsync(_server.HttpUrl("/"));
        var page = await context.NewPageAsync();

        await page.GotoAsync($"/play?path={path}&autoplay=1");

        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync($"Playing {path}", new() { Timeout = 30_000 });
        var stats = await WaitForStatsAsync(page, s => s.FramesDecoded > 50 && s.AudioPackets > 50);
        Assert.Equal(640, stats.Width);
        Assert.Equal(360, stats.Height);
        Assert.Contains(_server.Log.Split('\n'), line => line.Contains($"AAC→Opus for WebRTC players of {path}: ffmpeg", StringComparison.Ordinal));
        var playing = (await _server.FindStreamAsync(path))!.Value;
        Assert.Contains(playing.GetProperty("readers").EnumerateObject(), reader => reader.Name == "webrtc");

        await page.CloseAsync();
        await _server.Process.WaitForOutputAsync($"WHEP play of {path} ended", s_wait);
    }

    [Fact]
    public async Task Whep_StreamNotLive_Is404_AndBadOfferIs400()
    {
        var offer = Offers.H264AndOpus.Replace("a=sendonly", "a=recvonly", StringComparison.Ordinal);
        using var missing = new StringContent(offer, Encoding.UTF8, "application/sdp");
        missing.Headers.ContentType = new("application/sdp");
        Assert.Equal(HttpStatusCode.NotFound, (await _server.Http.PostAsync("/whep/live/nobody-here", missing)).StatusCode);

        var path = $"live/whep-{Guid.NewGuid():N}"[..24];
        await using var publisher = await new NewsroomDriver(_server).PublishAsync(path, seconds: 60);
        using var garbage = new StringContent("v=0\r\nnonsense", Encoding.UTF8);
        garbage.Headers.ContentType = new("application/sdp");
        var refused = await _server.Http.PostAsync($"/whep/{path}", garbage);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.False(string.IsNullOrEmpty(JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString()));
    }

    internal sealed record PlayerStats(long FramesDecoded, long AudioPackets, int Width, int Height);

    internal static async Task<PlayerStats> WaitForStatsAsync(IPage page, Func<PlayerStats, bool> condition)
    {
        using var deadline = new CancellationTokenSource(s_wait);
        PlayerStats last = new(0, 0, 0, 0);
        while (!deadline.IsCancellationRequested)
        {
            var json = await page.EvaluateAsync<string>(
                """
                async () => {
                  const report = await window.liverelayPlay.pc.getStats();
                  const out = { framesDecoded: 0, audioPackets: 0, width: 0, height: 0 };
                  report.forEach((s) => {
                    if (s.type === 'inbound-rtp' && s.kind === 'video') { out.framesDecoded = s.framesDecoded || 0; out.width = s.frameWidth || 0; out.height = s.frameHeight || 0; }
                    if (s.type === 'inbound-rtp' && s.kind === 'audio') { out.audioPackets = s.packetsReceived || 0; }
                  });
                  return JSON.stringify(out);
                }
                """);
            var root = JsonDocument.Parse(json).RootElement;
            last = new PlayerStats(root.GetProperty("framesDecoded").GetInt64(), root.GetProperty("audioPackets").GetInt64(), root.GetProperty("width").GetInt32(), root.GetProperty("height").GetInt32());
            if (condition(last))
            {
                return last;
            }

            await Task.Delay(250, deadline.Token);
        }

        throw new TimeoutException($"the player did not get there: {last}");
    }
}
