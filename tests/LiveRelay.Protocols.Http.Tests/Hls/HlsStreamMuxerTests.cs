using System.Text;
using LiveRelay.Core.Streams;
using LiveRelay.Protocols.Http.Hls;
using Microsoft.Extensions.Logging.Abstractions;

namespace LiveRelay.Protocols.Http.Tests.Hls;

public sealed class HlsStreamMuxerTests : IDisposable
{
    private readonly StreamHub _hub = new(new StreamOptions { ReconnectGrace = TimeSpan.FromMinutes(1) }, TimeProvider.System);
    private readonly List<double> _durations = [];
    private readonly object _lock = new();
    private TaskCompletionSource _enough = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _wanted;

    public void Dispose() => _hub.Dispose();

    private (HlsStreamMuxer Muxer, StreamPublisher Publisher) Start(HlsOptions? options = null)
    {
        Assert.Equal(PublishStatus.Started, _hub.TryPublish("live/hls", new PublisherInfo("test", null), out var publisher));
        publisher!.SetTrack(TestMedia.Video);
        publisher.SetTrack(TestMedia.Audio);
        var muxer = new HlsStreamMuxer(_hub.Find("live/hls")!, options ?? new HlsOptions(), TimeProvider.System, NullLogger.Instance);
        muxer.SegmentWritten += (_, duration) =>
        {
            lock (_lock)
            {
                _durations.Add(duration);
                if (_durations.Count >= _wanted)
                {
                    _enough.TrySetResult();
                }
            }
        };
        return (muxer, publisher);
    }

    private Task SegmentsWritten(int count)
    {
        lock (_lock)
        {
            _wanted = count;
            _enough = new(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_durations.Count >= count)
            {
                _enough.TrySetResult();
            }

            return _enough.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>Writes 25 fps video with a keyframe every <paramref name="gopMs"/> and AAC, from <paramref name="fromMs"/>.</summary>
    private static void Feed(StreamPublisher publisher, long fromMs, long toMs, long gopMs = 1000)
    {
        for (var ms = fromMs; ms < toMs; ms += 40)
        {
            publisher.Write(TestMedia.VideoAt(ms, key: (ms - fromMs) % gopMs == 0));
            publisher.Write(TestMedia.AudioAt(ms + 5));
        }
    }

    [Fact]
    public async Task FirstSegment_AudioAnnouncedAfterFirstKeyframe_StartsAtThatKeyframeWithAudio()
    {
        // As SRT/TS ingest does: video first, the audio track only 320 ms later.
        Assert.Equal(PublishStatus.Started, _hub.TryPublish("live/hls", new PublisherInfo("test", null), out var publisher));
        publisher!.SetTrack(TestMedia.Video);
        var muxer = new HlsStreamMuxer(_hub.Find("live/hls")!, new HlsOptions { SegmentSeconds = 2 }, TimeProvider.System, NullLogger.Instance);
        muxer.SegmentWritten += (_, duration) =>
        {
            lock (_lock)
            {
                _durations.Add(duration);
                if (_durations.Count >= _wanted)
                {
                    _enough.TrySetResult();
                }
            }
        };
        for (var ms = 0L; ms < 320; ms += 40)
        {
            publisher.Write(TestMedia.VideoAt(ms, key: ms == 0));
        }

        publisher.SetTrack(TestMedia.Audio);
        for (var ms = 320L; ms < 4600; ms += 40)
        {
            publisher.Write(TestMedia.VideoAt(ms, key: ms % 1000 == 0));
            publisher.Write(TestMedia.AudioAt(ms));
        }

        await SegmentsWritten(2);

        // The first segment runs from the first keyframe (0 ms), not from the one after the audio appeared.
        Assert.Equal(2.0, Math.Round(_durations[0], 3));
        var first = Encoding.UTF8.GetString(muxer.Playlist).Split('\n').First(l => l.EndsWith(".ts", StringComparison.Ordinal));
        var segment = muxer.AcquireSegment(first)!;
        try
        {
            // The PMT (PID 0x1000 in the first packets) lists both elementary streams: H.264 (0x1B) and AAC (0x0F).
            var bytes = segment.Memory.ToArray();
            Assert.Contains((byte)0x1B, PmtStreamTypes(bytes));
            Assert.Contains((byte)0x0F, PmtStreamTypes(bytes));
        }
        finally
        {
            segment.Release();
        }

        muxer.Release();
    }

    /// <summary>stream_type bytes of the first PMT in a TS buffer.</summary>
    private static List<byte> PmtStreamTypes(byte[] ts)
    {
        for (var offset = 0; offset + 188 <= ts.Length; offset += 188)
        {
            var pid = ((ts[offset + 1] & 0x1F) << 8) | ts[offset + 2];
            if (pid == 0 || (ts[offset + 1] & 0x40) == 0)
            {
                continue;
            }

            var section = offset + 4 + 1 + ts[offset + 4];
            if (ts[section] != 0x02)
            {
                continue;
            }

            var sectionLength = ((ts[section + 1] & 0x0F) << 8) | ts[section + 2];
            var programInfoLength = ((ts[section + 10] & 0x0F) << 8) | ts[section + 11];
            var types = new List<byte>();
            for (var i = section + 12 + programInfoLength; i < section + 3 + sectionLength - 4;)
            {
                types.Add(ts[i]);
                var esInfoLength = ((ts[i + 3] & 0x0F) << 8) | ts[i + 4];
                i += 5 + esInfoLength;
            }

            return types;
        }

        return [];
    }

    [Fact]
    public async Task Segments_CutAtFirstKeyframeAfterTarget_WithTargetDuration()
    {
        var (muxer, publisher) = Start(new HlsOptions { SegmentSeconds = 2 });

        // Past the 6 s cut by more than the segmenter's 200 ms wake-up batch.
        Feed(publisher, 0, 6600);
        await SegmentsWritten(3);

        Assert.Equal([2.0, 2.0, 2.0], _durations.Take(3).Select(d => Math.Round(d, 3)));
        var playlist = Encoding.UTF8.GetString(muxer.Playlist);
        Assert.Contains("#EXT-X-TARGETDURATION:2\n", playlist, StringComparison.Ordinal);
        Assert.Contains("#EXT-X-MEDIA-SEQUENCE:0\n", playlist, StringComparison.Ordinal);
        Assert.Contains("#EXTINF:2.000,", playlist, StringComparison.Ordinal);
        Assert.Contains("#EXT-X-PROGRAM-DATE-TIME:", playlist, StringComparison.Ordinal);
        Assert.DoesNotContain("#EXT-X-ENDLIST", playlist, StringComparison.Ordinal);
        muxer.Release();
    }

    [Fact]
    public async Task Segment_Bytes_AreTransportStreamStartingWithPatAndKeyframe()
    {
        var (muxer, publisher) = Start(new HlsOptions { SegmentSeconds = 1 });
        Feed(publisher, 0, 2600);
        await SegmentsWritten(2);

        var name = Encoding.UTF8.GetString(muxer.Playlist).Split('\n').First(l => l.EndsWith(".ts", StringComparison.Ordinal));
        var data = muxer.AcquireSegment(name);
        Assert.NotNull(data);
        var bytes = data.Span.ToArray();
        data.Release();

        Assert.Equal(0, bytes.Length % 188);
        Assert.All(Enumerable.Range(0, bytes.Length / 188), i => Assert.Equal(0x47, bytes[i * 188]));
        Assert.Equal(0, ((bytes[1] & 0x1F) << 8) | bytes[2]);            // first packet: PAT
        Assert.Equal(0x1000, ((bytes[189] & 0x1F) << 8) | bytes[190]);   // then the PMT
        muxer.Release();
    }

    [Fact]
    public async Task PublisherResumes_NextSegmentCarriesDiscontinuity()
    {
        var (muxer, first) = Start(new HlsOptions { SegmentSeconds = 1 });
        Feed(first, 0, 2000); // two GOPs; the second segment closes when the publisher comes back
        first.Dispose();
        Assert.Equal(PublishStatus.Resumed, _hub.TryPublish("live/hls", new PublisherInfo("test", null), out var second));
        second!.SetTrack(TestMedia.Video);
        Feed(second, 0, 3040);
        await SegmentsWritten(4);

        var lines = Encoding.UTF8.GetString(muxer.Playlist).Split('\n');
        var discontinuity = Array.IndexOf(lines, "#EXT-X-DISCONTINUITY");
        Assert.True(discontinuity > 0, string.Join('\n', lines));
        Assert.Single(lines, l => l == "#EXT-X-DISCONTINUITY");

        // The tag sits right before the first segment of the second session (after its date-time and duration).
        var segmentsBefore = lines.Take(discontinuity).Count(l => l.EndsWith(".ts", StringComparison.Ordinal));
        Assert.Equal(2, segmentsBefore);
        muxer.Release();
    }

    [Fact]
    public async Task SlidingWindow_OldSegmentsLeavePlaylistThenMemory()
    {
        var (muxer, publisher) = Start(new HlsOptions { SegmentSeconds = 1, PlaylistSegments = 3, ExtraSegments = 1 });
        var firstName = "";
        muxer.SegmentWritten += (m, _) =>
        {
            if (firstName.Length == 0)
            {
                firstName = Encoding.UTF8.GetString(m.Playlist).Split('\n').First(l => l.EndsWith(".ts", StringComparison.Ordinal));
            }
        };
        Feed(publisher, 0, 7040);
        await SegmentsWritten(7);

        var playlist = Encoding.UTF8.GetString(muxer.Playlist);
        Assert.Contains("#EXT-X-MEDIA-SEQUENCE:4\n", playlist, StringComparison.Ordinal);
        Assert.Equal(3, playlist.Split('\n').Count(l => l.EndsWith(".ts", StringComparison.Ordinal)));
        Assert.Null(muxer.AcquireSegment(firstName));
        muxer.Release();
    }

    [Fact]
    public async Task StreamEnds_PlaylistIsFinishedWithEndList()
    {
        var (muxer, publisher) = Start(new HlsOptions { SegmentSeconds = 1 });
        Feed(publisher, 0, 2500);

        _hub.EndAll();
        await muxer.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        var playlist = Encoding.UTF8.GetString(muxer.Playlist);
        Assert.EndsWith("#EXT-X-ENDLIST\n", playlist, StringComparison.Ordinal);
        Assert.Equal(3, playlist.Split('\n').Count(l => l.EndsWith(".ts", StringComparison.Ordinal)));
        muxer.Release();
    }

    [Fact]
    public async Task WaitForFirstSegment_NoKeyframeYet_TimesOutFalseThenTrueOnceCut()
    {
        var (muxer, publisher) = Start(new HlsOptions { SegmentSeconds = 1 });
        Assert.False(await muxer.WaitForFirstSegmentAsync(TimeSpan.FromMilliseconds(50), CancellationToken.None));
        Assert.Empty(muxer.Playlist);

        Feed(publisher, 0, 1040);

        Assert.True(await muxer.WaitForFirstSegmentAsync(TimeSpan.FromSeconds(30), CancellationToken.None));
        Assert.NotEmpty(muxer.Playlist);
        muxer.Release();
    }
}
