using LiveRelay.Integration.Tests.Infrastructure;

namespace LiveRelay.Integration.Tests.Rtmp;

/// <summary>ffmpeg publishes over RTMP; ffmpeg/ffprobe read it back over RTMP, HTTP-FLV and HLS.</summary>
[Collection(ServerCollection.Name)]
public sealed class RtmpPublishPlayTests(ServerFixture fixture) : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private readonly ServerProcess _server = fixture.Server;
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task RtmpPlay_StreamPublishedByFfmpeg_CarriesH264AndAacFromAKeyframe()
    {
        await using var publisher = await PublishAsync("live/rtmp-play", seconds: 12);
        var output = _files.File("rtmp.flv");

        await using var player = Ffmpeg.Record(_server.RtmpUrl("live/rtmp-play"), output, seconds: 4);
        Assert.True(await player.WaitForExitAsync(s_timeout) == 0, player.AllOutput);

        await AssertCarriesTestStreamAsync(output, seconds: 4);
    }

    [Fact]
    public async Task HttpFlv_StreamPublishedWithKeyInQuery_CarriesH264AndAacFromAKeyframe()
    {
        // OBS's "Server + Stream Key" with a key query: the path is live/flv-play.
        await using var publisher = await PublishAsync("live/flv-play?key=secret", seconds: 12);
        var output = _files.File("http.flv");

        await using var player = Ffmpeg.Record(_server.HttpUrl("live/flv-play.flv"), output, seconds: 4);
        Assert.True(await player.WaitForExitAsync(s_timeout) == 0, player.AllOutput);

        await AssertCarriesTestStreamAsync(output, seconds: 4);
    }

    [Fact]
    public async Task Hls_StreamPublishedByFfmpeg_ServesPlaylistAndSegments()
    {
        await using var publisher = await PublishAsync("live/hls-play", seconds: 12);

        // The playlist request is held until the first segment exists.
        using var response = await _server.Http.GetAsync("/live/hls-play/index.m3u8");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        Assert.Equal("application/vnd.apple.mpegurl", response.Content.Headers.ContentType?.MediaType);
        var playlist = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("#EXTM3U", playlist, StringComparison.Ordinal);
        Assert.Contains("#EXT-X-TARGETDURATION:", playlist, StringComparison.Ordinal);
        Assert.Contains("#EXT-X-MEDIA-SEQUENCE:", playlist, StringComparison.Ordinal);
        Assert.Contains("#EXT-X-PROGRAM-DATE-TIME:", playlist, StringComparison.Ordinal);
        var segment = playlist.Split('\n').First(l => l.EndsWith(".ts", StringComparison.Ordinal));

        using var segmentResponse = await _server.Http.GetAsync($"/live/hls-play/{segment}");
        Assert.True(segmentResponse.IsSuccessStatusCode);
        Assert.Equal("video/mp2t", segmentResponse.Content.Headers.ContentType?.MediaType);
        var bytes = await segmentResponse.Content.ReadAsByteArrayAsync();
        Assert.Equal(0, bytes.Length % 188);
        Assert.All(Enumerable.Range(0, bytes.Length / 188), i => Assert.Equal(0x47, bytes[i * 188]));
        var segmentFile = _files.File("segment.ts");
        await File.WriteAllBytesAsync(segmentFile, bytes);
        var probe = await Ffmpeg.ProbeAsync(segmentFile);
        Assert.Equal("h264", probe.Video.GetProperty("codec_name").GetString());
        Assert.Equal("aac", probe.Audio.GetProperty("codec_name").GetString());
        var firstVideo = (await Ffmpeg.PacketsAsync(segmentFile, "v"))[0];
        Assert.True(firstVideo.Key, "every segment starts with a keyframe");

        // A real HLS client reads the whole thing.
        var output = _files.File("hls.ts");
        await using var player = Ffmpeg.Record(_server.HttpUrl("live/hls-play/index.m3u8"), output, seconds: 3);
        Assert.True(await player.WaitForExitAsync(s_timeout) == 0, player.AllOutput);
        await AssertCarriesTestStreamAsync(output, seconds: 3);
    }

    [Fact]
    public async Task ApiStreams_WhilePublishing_ListsCodecsResolutionAndPublisher()
    {
        await using var publisher = await PublishAsync("live/api", seconds: 8);
        await using var player = Ffmpeg.Record(_server.RtmpUrl("live/api"), _files.File("api.flv"), seconds: 3);
        await _server.Process.WaitForOutputAsync("Playing live/api", s_timeout);

        var stream = (await _server.FindStreamAsync("live/api"))!.Value;

        Assert.Equal("live", stream.GetProperty("state").GetString());
        Assert.Equal("rtmp", stream.GetProperty("publisher").GetProperty("protocol").GetString());
        Assert.StartsWith("127.0.0.1:", stream.GetProperty("publisher").GetProperty("remoteAddress").GetString(), StringComparison.Ordinal);
        var video = stream.GetProperty("video");
        Assert.Equal("H264", video.GetProperty("codec").GetString());
        Assert.Equal(640, video.GetProperty("width").GetInt32());
        Assert.Equal(360, video.GetProperty("height").GetInt32());
        Assert.StartsWith("avc1.", video.GetProperty("codecString").GetString(), StringComparison.Ordinal);
        var audio = stream.GetProperty("audio");
        Assert.Equal("AAC", audio.GetProperty("codec").GetString());
        Assert.Equal(44100, audio.GetProperty("sampleRate").GetInt32());
        Assert.Equal(2, audio.GetProperty("channels").GetInt32());
        Assert.Equal(1, stream.GetProperty("readers").GetProperty("rtmp").GetInt32());
        Assert.True(stream.GetProperty("framesIn").GetInt64() > 0);
        Assert.True(stream.GetProperty("uptimeSeconds").GetDouble() >= 0);
    }

    [Fact]
    public async Task Publish_SecondPublisherOnLivePath_IsRefusedWithClearStatus()
    {
        await using var first = await PublishAsync("live/dup", seconds: 10);

        await using var second = Ffmpeg.Publish(_server.RtmpUrl("live/dup"), seconds: 10);
        var exit = await second.WaitForExitAsync(s_timeout);

        Assert.NotEqual(0, exit);
        Assert.Contains("already being published", second.AllOutput, StringComparison.Ordinal);
        Assert.Contains("Publish refused for live/dup", _server.Log, StringComparison.Ordinal);
        Assert.False(first.HasExited, "the first publisher must not be disturbed");
        var stream = (await _server.FindStreamAsync("live/dup"))!.Value;
        Assert.Equal(1, stream.GetProperty("publisherSessions").GetInt32());
    }

    [Fact]
    public async Task Publish_ReconnectWithinGrace_PlayerStaysConnectedAndHlsMarksDiscontinuity()
    {
        const string path = "live/reconnect";
        var firstSession = await PublishAsync(path, seconds: 4);
        var recording = _files.File("across-reconnect.flv");
        await using var player = Ffmpeg.Record(_server.RtmpUrl(path), recording, seconds: 7);
        await _server.Process.WaitForOutputAsync($"Playing {path}", s_timeout);

        await firstSession.WaitForExitAsync(s_timeout);
        await firstSession.DisposeAsync();
        await _server.Process.WaitForOutputAsync($"Publish of {path} ended", s_timeout);
        await using var secondSession = Ffmpeg.Publish(_server.RtmpUrl(path), seconds: 6, toneHz: 440);
        await _server.Process.WaitForOutputAsync($"Publishing {path} (Resumed)", s_timeout);

        Assert.True(await player.WaitForExitAsync(s_timeout) == 0, player.AllOutput);
        var video = await Ffmpeg.PacketsAsync(recording, "v");
        Assert.True(video.Count >= 100, $"expected frames from both sessions, got {video.Count}");
        for (var i = 1; i < video.Count; i++)
        {
            Assert.True(video[i].Dts >= video[i - 1].Dts, $"DTS went back at packet {i}: {video[i - 1].Dts} -> {video[i].Dts}");
        }

        var stream = (await _server.FindStreamAsync(path))!.Value;
        Assert.Equal(2, stream.GetProperty("publisherSessions").GetInt32());
        var playlist = await _server.Http.GetStringAsync($"/{path}/index.m3u8");
        Assert.Contains("#EXT-X-DISCONTINUITY", playlist, StringComparison.Ordinal);
    }

    private async Task<ExternalProcess> PublishAsync(string pathAndQuery, double seconds)
    {
        var publisher = Ffmpeg.Publish(_server.RtmpUrl(pathAndQuery), seconds);
        var path = pathAndQuery.Split('?')[0];
        try
        {
            await _server.Process.WaitForOutputAsync($"Publishing {path}", s_timeout);
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException($"ffmpeg did not start publishing {path}:\n{ExternalProcess.Tail(publisher.AllOutput)}\nserver:\n{ExternalProcess.Tail(_server.Log)}");
        }

        return publisher;
    }

    private static async Task AssertCarriesTestStreamAsync(string file, double seconds)
    {
        var probe = await Ffmpeg.ProbeAsync(file);
        var video = probe.Video;
        Assert.Equal("h264", video.GetProperty("codec_name").GetString());
        Assert.Equal(640, video.GetProperty("width").GetInt32());
        Assert.Equal(360, video.GetProperty("height").GetInt32());
        var audio = probe.Audio;
        Assert.Equal("aac", audio.GetProperty("codec_name").GetString());
        Assert.Equal("44100", audio.GetProperty("sample_rate").GetString());
        Assert.Equal(2, audio.GetProperty("channels").GetInt32());

        // 25 fps and ~43 AAC frames a second; allow for where the copy started and stopped.
        var videoFrames = ProbeResult.Packets(video);
        var audioFrames = ProbeResult.Packets(audio);
        Assert.InRange(videoFrames, (int)(seconds * 25 * 0.8), (int)(seconds * 25 * 1.3) + 25);
        Assert.InRange(audioFrames, (int)(seconds * 43 * 0.8), (int)(seconds * 43 * 1.3) + 43);

        var packets = await Ffmpeg.PacketsAsync(file, "v");
        Assert.True(packets[0].Key, "playback must start on a keyframe");
    }
}
