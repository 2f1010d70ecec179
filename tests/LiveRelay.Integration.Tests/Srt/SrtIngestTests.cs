using LiveRelay.Integration.Tests.Infrastructure;

namespace LiveRelay.Integration.Tests.Srt;

/// <summary>ffmpeg publishes MPEG-TS over SRT; players read it over RTMP and HLS like any feed.</summary>
[Collection(ServerCollection.Name)]
public sealed class SrtIngestTests(ServerFixture fixture) : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private readonly ServerProcess _server = fixture.Server;
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Theory]
    [InlineData("#!::r=live/srt-acl,m=publish,u=reporter1", "live/srt-acl")]
    [InlineData("publish:live/srt-prefixed", "live/srt-prefixed")]
    [InlineData("live/srt-bare", "live/srt-bare")]
    [InlineData("publish%3Alive%2Fsrt-escaped", "live/srt-escaped")]
    public async Task SrtPublish_EachStreamIdForm_PlaysOverRtmpWithH264AndAac(string streamId, string path)
    {
        await using var publisher = Ffmpeg.Publish(_server.SrtUrl(streamId), seconds: 12, format: "mpegts");
        await WaitPublishingAsync(path, publisher);

        var output = _files.File("srt.flv");
        await using var player = Ffmpeg.Record(_server.RtmpUrl(path), output, seconds: 3);
        Assert.True(await player.WaitForExitAsync(s_timeout) == 0, player.AllOutput);

        var probe = await Ffmpeg.ProbeAsync(output);
        Assert.Equal("h264", probe.Video.GetProperty("codec_name").GetString());
        Assert.Equal(640, probe.Video.GetProperty("width").GetInt32());
        Assert.Equal("aac", probe.Audio.GetProperty("codec_name").GetString());
        Assert.InRange(ProbeResult.Packets(probe.Video), 60, 130);
        Assert.True((await Ffmpeg.PacketsAsync(output, "v"))[0].Key);

        var stream = (await _server.FindStreamAsync(path))!.Value;
        var publisherInfo = stream.GetProperty("publisher");
        Assert.Equal("srt", publisherInfo.GetProperty("protocol").GetString());
        var transport = publisherInfo.GetProperty("transport");
        Assert.True(transport.GetProperty("packetsReceived").GetDouble() > 100);
        Assert.True(transport.GetProperty("rttMs").GetDouble() >= 0);
        Assert.True(transport.GetProperty("receiveRateMbps").GetDouble() >= 0);
        Assert.True(transport.TryGetProperty("packetsLost", out _));
    }

    [Fact]
    public async Task SrtPublish_ServesHls()
    {
        await using var publisher = Ffmpeg.Publish(_server.SrtUrl("publish:live/srt-hls"), seconds: 12, format: "mpegts");
        await WaitPublishingAsync("live/srt-hls", publisher);

        var output = _files.File("srt-hls.ts");
        await using var player = Ffmpeg.Record(_server.HttpUrl("live/srt-hls/index.m3u8"), output, seconds: 3);
        Assert.True(await player.WaitForExitAsync(s_timeout) == 0, player.AllOutput);
        var probe = await Ffmpeg.ProbeAsync(output);
        Assert.Equal("h264", probe.Video.GetProperty("codec_name").GetString());
        Assert.Equal("aac", probe.Audio.GetProperty("codec_name").GetString());
    }

    [Fact]
    public async Task SrtPublish_MalformedStreamId_IsRefusedAndLogged()
    {
        var mark = _server.Process.Mark();
        await using var publisher = Ffmpeg.Publish(_server.SrtUrl("#!::m=publish"), seconds: 5, format: "mpegts");

        await _server.Process.WaitForOutputAsync("no r= resource", s_timeout, mark);
        Assert.NotEqual(0, await publisher.WaitForExitAsync(s_timeout));
    }

    [Fact]
    public async Task SrtPublish_PathAlreadyLive_IsRefused()
    {
        await using var first = Ffmpeg.Publish(_server.RtmpUrl("live/srt-dup"), seconds: 12);
        await _server.Process.WaitForOutputAsync("Publishing live/srt-dup", s_timeout);
        var mark = _server.Process.Mark();

        await using var second = Ffmpeg.Publish(_server.SrtUrl("publish:live/srt-dup"), seconds: 5, format: "mpegts");

        await _server.Process.WaitForOutputAsync("live/srt-dup is already being published", s_timeout, mark);
        Assert.NotEqual(0, await second.WaitForExitAsync(s_timeout));
        Assert.False(first.HasExited);
    }

    [Theory]
    [InlineData("#!::r=live/srt-play,m=request")]
    [InlineData("read:live/srt-play")]
    public async Task SrtRequest_RtmpPublishedStream_IsReadAsTsFromAKeyframe(string streamId)
    {
        await using var publisher = Ffmpeg.Publish(_server.RtmpUrl("live/srt-play"), seconds: 12);
        await _server.Process.WaitForOutputAsync("Publishing live/srt-play", s_timeout);

        var output = _files.File("srt-play.ts");
        await using var player = Ffmpeg.Record(_server.SrtUrl(streamId), output, seconds: 3);
        Assert.True(await player.WaitForExitAsync(s_timeout) == 0, player.AllOutput);

        var probe = await Ffmpeg.ProbeAsync(output);
        Assert.Equal("h264", probe.Video.GetProperty("codec_name").GetString());
        Assert.Equal(640, probe.Video.GetProperty("width").GetInt32());
        Assert.Equal("aac", probe.Audio.GetProperty("codec_name").GetString());
        Assert.InRange(ProbeResult.Packets(probe.Video), 60, 130);
        Assert.True((await Ffmpeg.PacketsAsync(output, "v"))[0].Key, "SRT playback must start on a keyframe");
    }

    [Fact]
    public async Task SrtRequest_UnknownStream_IsRefusedAndLogged()
    {
        var mark = _server.Process.Mark();
        await using var player = Ffmpeg.Record(_server.SrtUrl("read:live/srt-nobody"), _files.File("none.ts"), seconds: 2);

        await _server.Process.WaitForOutputAsync("no stream is live at live/srt-nobody", s_timeout, mark);
        Assert.NotEqual(0, await player.WaitForExitAsync(s_timeout));
    }

    private async Task WaitPublishingAsync(string path, ExternalProcess publisher)
    {
        try
        {
            await _server.Process.WaitForOutputAsync($"Publishing {path} over SRT", s_timeout);
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException($"ffmpeg did not publish {path} over SRT:\n{ExternalProcess.Tail(publisher.AllOutput)}\nserver:\n{ExternalProcess.Tail(_server.Log)}");
        }
    }
}
