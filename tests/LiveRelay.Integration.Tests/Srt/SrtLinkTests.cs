using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using LiveRelay.Integration.Tests.Infrastructure;
using LiveRelay.Protocols.Srt;
using LiveRelay.Testing;

namespace LiveRelay.Integration.Tests.Srt;

/// <summary>
/// SRT links as partners see them: retransmission over a lossy path, players counted and measured,
/// reject reasons a refused caller receives, and garbage on the port.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class SrtLinkTests(ServerFixture fixture) : IDisposable
{
    private const double DropRate = 0.03;

    // One second of latency: room for retransmissions even when the machine is busy (the whole suite runs).
    private const string Latency = "latency=1000000";

    // The latency window of 25 fps video and 44.1 kHz AAC (43 frames/s), rounded up.
    private const int TailFrames = 25 + 44 + 2;
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private readonly ServerProcess _server = fixture.Server;
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task SrtPublish_ThroughLossyPath_DeliversEveryFrameAndReportsLoss()
    {
        await using var relay = new LossyUdpRelay(new IPEndPoint(IPAddress.Loopback, _server.SrtPort), DropRate, seed: 4);
        var local = _files.File("lossy-sent.ts");
        var url = $"srt://127.0.0.1:{relay.Port}?streamid=publish:live/srt-lossy&{Latency}&linger=5";

        // tee: the same packets go to the server and to a local file, the reference for what was sent.
        await using var publisher = ExternalProcess.Start("ffmpeg",
        [
            "-hide_banner", "-nostats", "-re",
            "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=44100",
            "-t", "8", "-map", "0:v", "-map", "1:a",
            "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-pix_fmt", "yuv420p", "-g", "25", "-b:v", "1500k",
            "-c:a", "aac", "-b:a", "64k",
            "-f", "tee", $"[f=mpegts]{url}|[f=mpegts]{local}",
        ]);

        var live = await _server.WaitForStreamAsync(
            "live/srt-lossy",
            s => Transport(s, "publisher") is { } t && t.GetProperty("packetsLost").GetDouble() > 0 && t.GetProperty("packetsRetransmitted").GetDouble() > 0,
            s_timeout);
        var mark = _server.Process.Mark();
        Assert.True(await publisher.WaitForExitAsync(s_timeout) == 0, publisher.AllOutput);
        await _server.Process.WaitForOutputAsync("SRT publish of live/srt-lossy", s_timeout, mark);

        var sent = await Ffmpeg.ProbeAsync(local);
        var expected = ProbeResult.Packets(sent.Video) + ProbeResult.Packets(sent.Audio);
        var stream = (await _server.FindStreamAsync("live/srt-lossy"))!.Value;
        Assert.True(relay.DroppedUpstream > 10, $"the relay dropped {relay.DroppedUpstream} datagrams upstream");
        Assert.True(relay.DroppedDownstream > 0, $"the relay dropped {relay.DroppedDownstream} datagrams downstream");
        // Every frame arrives, except what libsrt still held for its latency window when the caller
        // hung up (it drops those with the connection): at most the latency's worth at the end.
        // Mid-stream completeness is what the continuity check below proves: any lost message breaks it.
        var received = stream.GetProperty("framesIn").GetInt64();
        Assert.InRange(received, expected - TailFrames, expected);
        var ended = _server.Log.Split('\n').Last(l => l.Contains("SRT publish of live/srt-lossy", StringComparison.Ordinal));
        Assert.Contains(" 0 continuity errors", ended, StringComparison.Ordinal);
        Assert.True(Transport(live, "publisher")!.Value.GetProperty("packetsLost").GetDouble() > 0);

        Assert.True(await MetricAsync("liverelay_srt_packets_lost_total", ("direction", "receive")) > 0);
        Assert.True(await MetricAsync("liverelay_srt_packets_retransmitted_total", ("direction", "receive")) > 0);
    }

    [Fact]
    public async Task SrtPlay_ThroughLossyPath_DeliversEveryFrameAndIsCountedAsReader()
    {
        await using var publisher = Ffmpeg.Publish(_server.RtmpUrl("live/srt-lossy-play"), seconds: 20);
        await _server.Process.WaitForOutputAsync("Publishing live/srt-lossy-play", s_timeout);
        await using var relay = new LossyUdpRelay(new IPEndPoint(IPAddress.Loopback, _server.SrtPort), DropRate, seed: 7);

        var output = _files.File("lossy-play.ts");
        await using var player = Ffmpeg.Record($"srt://127.0.0.1:{relay.Port}?streamid=read:live/srt-lossy-play&{Latency}", output, seconds: 6);
        var playing = await _server.WaitForStreamAsync(
            "live/srt-lossy-play",
            s => Transport(s, "player") is { } t && t.GetProperty("packetsRetransmitted").GetDouble() > 0,
            s_timeout);
        Assert.Equal(1, playing.GetProperty("readers").GetProperty("srt").GetInt32());
        Assert.True(playing.GetProperty("readerCount").GetInt32() >= 1);
        Assert.True(Transport(playing, "player")!.Value.GetProperty("packetsSent").GetDouble() > 0);
        Assert.True(await player.WaitForExitAsync(s_timeout) == 0, player.AllOutput);

        // Every frame from the first keyframe on, with no gap: 25 fps, so DTS steps of exactly 40 ms.
        var video = await Ffmpeg.PacketsAsync(output, "v");
        Assert.True(video.Count >= 100, $"{video.Count} video packets");
        Assert.True(video[0].Key);
        for (var i = 1; i < video.Count; i++)
        {
            Assert.True(Math.Abs(video[i].Dts - video[i - 1].Dts - 0.04) < 0.002, $"gap between packets {i - 1} and {i}: {video[i - 1].Dts} → {video[i].Dts}");
        }

        Assert.True(relay.DroppedDownstream > 10, $"the relay dropped {relay.DroppedDownstream} datagrams downstream");
        await _server.WaitForStreamAsync("live/srt-lossy-play", s => !s.GetProperty("readers").TryGetProperty("srt", out _), s_timeout);
        Assert.True(await MetricAsync("liverelay_srt_packets_retransmitted_total", ("direction", "send")) > 0);
        Assert.True(await MetricAsync("liverelay_srt_rtt_seconds_count") > 0);
    }

    [Theory]
    [InlineData("#!::m=publish", SrtRejectReason.BadRequest)]
    [InlineData("read:live/srt-reject-nobody", SrtRejectReason.NotFound)]
    [InlineData("publish:live/srt-reject-live", SrtRejectReason.Conflict)]
    public async Task RefusedCaller_ReceivesTheRejectReason(string streamId, int expected)
    {
        await using var publisher = Ffmpeg.Publish(_server.RtmpUrl("live/srt-reject-live"), seconds: 15);
        await _server.WaitForStreamAsync("live/srt-reject-live", s => s.GetProperty("state").GetString() == "live", s_timeout);
        var mark = _server.Process.Mark();

        using var caller = SrtSocket.Create();
        caller.SetStreamId(streamId);
        caller.SetConnectTimeout(5000);
        var error = await Assert.ThrowsAsync<SrtException>(() => Task.Run(() => caller.Connect(new IPEndPoint(IPAddress.Loopback, _server.SrtPort))));

        Assert.Equal(expected, caller.RejectReason);
        Assert.Contains("connect", error.Message, StringComparison.Ordinal);
        await _server.Process.WaitForOutputAsync($"(reject reason {expected.ToString(CultureInfo.InvariantCulture)})", s_timeout, mark);
    }

    [Fact]
    public async Task GarbageDatagrams_AreIgnored_AndPublishingStillWorks()
    {
        using (var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            var random = new Random(11);
            var target = new IPEndPoint(IPAddress.Loopback, _server.SrtPort);
            var datagram = new byte[1500];
            for (var i = 0; i < 2000; i++)
            {
                var length = random.Next(1, datagram.Length);
                random.NextBytes(datagram.AsSpan(0, length));
                await udp.SendToAsync(datagram.AsMemory(0, length), SocketFlags.None, target);
            }

            // Well-formed SRT control headers with nonsense bodies: a handshake of the wrong size, a NAK for no socket.
            await udp.SendToAsync(new byte[] { 0x80, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, SocketFlags.None, target);
            await udp.SendToAsync(new byte[] { 0x80, 0x03, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78, 0, 0, 0, 1 }, SocketFlags.None, target);
        }

        await using var publisher = Ffmpeg.Publish(_server.SrtUrl("publish:live/srt-after-garbage"), seconds: 10, format: "mpegts");
        await _server.Process.WaitForOutputAsync("Publishing live/srt-after-garbage over SRT", s_timeout);
        var stream = await _server.WaitForStreamAsync("live/srt-after-garbage", s => s.GetProperty("framesIn").GetInt64() > 25, s_timeout);
        Assert.Equal("srt", stream.GetProperty("publisher").GetProperty("protocol").GetString());
        using var health = await _server.Http.GetAsync("/healthz");
        Assert.True(health.IsSuccessStatusCode);
    }

    [Fact]
    public async Task SrtPublish_NotMpegTs_IsDisconnectedWithAReason()
    {
        var mark = _server.Process.Mark();
        using var caller = SrtSocket.Create();
        caller.SetStreamId("publish:live/srt-not-ts");
        caller.SetConnectTimeout(5000);
        await Task.Run(() => caller.Connect(new IPEndPoint(IPAddress.Loopback, _server.SrtPort)));

        // Random bytes, never a TS sync pattern a demuxer could lock on, until the server gives up on them.
        var disconnected = _server.Process.WaitForOutputAsync("of live/srt-not-ts disconnected: no MPEG-TS program", s_timeout, mark);
        var random = new Random(5);
        var message = new byte[SrtSocket.LivePayloadSize];
        using var pacing = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        while (!disconnected.IsCompleted && await pacing.WaitForNextTickAsync())
        {
            random.NextBytes(message);
            message[0] = 0x00;
            try
            {
                caller.Send(message);
            }
            catch (SrtException)
            {
                break; // the server closed the connection
            }
        }

        await disconnected;
        var stream = await _server.FindStreamAsync("live/srt-not-ts");
        Assert.True(stream is null || stream.Value.GetProperty("publisher").ValueKind == JsonValueKind.Null, "the path must be free for a publisher that works");
    }

    private static JsonElement? Transport(JsonElement stream, string side)
    {
        if (side == "publisher")
        {
            return stream.GetProperty("publisher") is { ValueKind: JsonValueKind.Object } publisher
                && publisher.TryGetProperty("transport", out var transport) && transport.ValueKind == JsonValueKind.Object
                ? transport
                : null;
        }

        foreach (var player in stream.GetProperty("players").EnumerateArray())
        {
            if (player.GetProperty("protocol").GetString() == "srt" && player.GetProperty("transport") is { ValueKind: JsonValueKind.Object } transport)
            {
                return transport;
            }
        }

        return null;
    }

    private async Task<double> MetricAsync(string sample, params (string Name, string Value)[] labels)
    {
        var families = PrometheusTextParser.Parse(await _server.Http.GetStringAsync("/metrics"));
        return families.Values.SelectMany(f => f.Samples)
            .Where(s => s.Name == sample && labels.All(l => s.Label(l.Name) == l.Value))
            .Sum(s => s.Value);
    }
}
