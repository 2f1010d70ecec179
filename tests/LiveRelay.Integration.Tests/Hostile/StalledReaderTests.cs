using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using LiveRelay.Integration.Tests.Infrastructure;
using LiveRelay.Protocols.Rtmp.Client;

namespace LiveRelay.Integration.Tests.Hostile;

/// <summary>
/// Players that connect, start playing and then never read a byte (RTMP and HTTP-FLV, with tiny receive
/// windows): each is cut off by its bounded queue, the publisher and a well-behaved player carry on,
/// and the server's memory stays bounded (no per-player backlog piles up).
/// </summary>
public sealed class StalledReaderTests : IAsyncLifetime
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(90);
    private ServerProcess? _server;

    private ServerProcess Server => _server!;

    public async Task InitializeAsync() =>
        _server = await ServerProcess.StartAsync("--LiveRelay:Readers:MaxQueuedSeconds=1", "--LiveRelay:Readers:MaxSkips=1");

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task PlayersThatNeverRead_AreCutOff_PublisherAndOthersUnaffected_MemoryBounded()
    {
        await using var publisher = ExternalProcess.Start("ffmpeg",
        [
            "-hide_banner", "-nostats", "-re", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25", "-t", "120",
            "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-b:v", "4M", "-maxrate", "4M", "-bufsize", "1M",
            "-f", "flv", Server.RtmpUrl("live/stalled"),
        ]);
        await Server.WaitForStreamAsync("live/stalled", s => s.GetProperty("framesIn").GetInt64() > 25, s_timeout);
        var memoryBefore = await WorkingSetAsync();
        var cutBefore = await CutOffAsync();

        Assert.True(RtmpUrl.TryParse($"rtmp://127.0.0.1:{Server.RtmpPort}/live/stalled", out var url, out var error), error);
        using var deadline = new CancellationTokenSource(s_timeout);
        await using var rtmp = await RtmpClient.ConnectAsync(url!, deadline.Token);
        await rtmp.PlayAsync(deadline.Token);
        using var flv = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await flv.ConnectAsync(IPAddress.Loopback, Server.HttpPort, deadline.Token);
        await flv.SendAsync(Encoding.ASCII.GetBytes("GET /live/stalled.flv HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), deadline.Token);
        var recorded = Path.Combine(Server.WorkDir, "good.flv");
        await using var good = Ffmpeg.Record(Server.RtmpUrl("live/stalled"), recorded, seconds: 60);

        // Nothing more is read from the two: both are cut off (RTMP and FLV cut-off counters rise by one each).
        await PollAsync(async () => await CutOffAsync() is var now && now.Rtmp > cutBefore.Rtmp && now.Flv > cutBefore.Flv);
        var frames = (await Server.FindStreamAsync("live/stalled"))!.Value.GetProperty("framesIn").GetInt64();
        await Server.WaitForStreamAsync("live/stalled", s => s.GetProperty("framesIn").GetInt64() > frames + 50, s_timeout);
        Assert.False(good.HasExited, good.AllOutput);
        Assert.False(publisher.HasExited, publisher.AllOutput);

        // Bounded: far less than what 40 s of a 4 Mbit/s stream would pile up per stalled player.
        Assert.True(await WorkingSetAsync() - memoryBefore < 150L * 1024 * 1024, "the server's working set grew by over 150 MB");
    }

    private async Task<(long Rtmp, long Flv)> CutOffAsync()
    {
        var metrics = await Server.Http.GetStringAsync("/metrics");
        return (Sample(metrics, "liverelay_reader_cut_off_total{protocol=\"rtmp\"}"), Sample(metrics, "liverelay_reader_cut_off_total{protocol=\"flv\"}"));
    }

    private async Task<long> WorkingSetAsync()
    {
        var status = await File.ReadAllLinesAsync($"/proc/{Server.Process.Id}/status");
        var line = status.Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    private static long Sample(string metrics, string series)
    {
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return line is null ? 0 : (long)double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
    }

    private static async Task PollAsync(Func<Task<bool>> condition)
    {
        using var deadline = new CancellationTokenSource(s_timeout);
        while (!await condition())
        {
            await Task.Delay(250, deadline.Token);
        }
    }
}
