using LiveRelay.Core.Media;
using LiveRelay.Core.Streams;
using LiveRelay.Testing;
using static LiveRelay.Core.Tests.TestSupport.Frames;

namespace LiveRelay.Core.Tests.Streams;

public sealed class LiveStreamTests
{
    private readonly ManualTimeProvider _time = new();

    [Fact]
    public void Subscribe_MidGop_StartsAtLatestKeyframe()
    {
        var hub = new StreamHub(new StreamOptions(), _time);
        hub.TryPublish("live/cam1", new PublisherInfo("test", null), out var publisher);
        publisher!.Write(VideoAt(0, key: true));
        publisher.Write(VideoAt(40));
        publisher.Write(VideoAt(2000, key: true));
        publisher.Write(AudioAt(2010));
        publisher.Write(VideoAt(2040));

        using var reader = hub.Find("live/cam1")!.Subscribe("test", "late");
        var frames = Drain(reader);

        Assert.Equal([2000L, 2010L, 2040L], frames.Select(Ms));
        Assert.True(frames[0].IsKeyframe);
        frames.ForEach(f => f.Release());
    }

    [Fact]
    public void Write_GopLargerThanBound_IsNotCachedUntilNextKeyframe()
    {
        var hub = new StreamHub(new StreamOptions { MaxGopFrames = 10 }, _time);
        hub.TryPublish("live/cam1", new PublisherInfo("test", null), out var publisher);
        var stream = hub.Find("live/cam1")!;
        for (var i = 0; i < 20; i++)
        {
            publisher!.Write(VideoAt(i * 40, key: i == 0));
        }

        Assert.Equal(0, stream.GopFrames);
        publisher!.Write(VideoAt(800, key: true));
        Assert.Equal(1, stream.GopFrames);
    }

    [Fact]
    public void Write_Keyframes_MeasuresKeyframeIntervalAndRates()
    {
        var hub = new StreamHub(new StreamOptions(), _time);
        hub.TryPublish("live/cam1", new PublisherInfo("test", null), out var publisher);
        var stream = hub.Find("live/cam1")!;
        for (var second = 0; second < 4; second++)
        {
            for (var i = 0; i < 25; i++)
            {
                publisher!.Write(VideoAt((second * 1000) + (i * 40), key: i == 0 && second % 2 == 0, size: 1000));
            }

            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(MediaClock.FromSeconds(2), stream.KeyframeInterval);
        var (fps, bps) = stream.VideoRate.Rate();
        Assert.Equal(25, fps, 3);
        Assert.Equal(200_000, bps, 3);
        Assert.Equal(100, stream.FramesIn);
    }

    [Fact]
    public void Audience_CountsReadersWithAnAddressAndViewers_UntilTheyLeave()
    {
        var hub = new StreamHub(new StreamOptions(), _time);
        hub.TryPublish("live/cam1", new PublisherInfo("test", null), out var publisher);
        var stream = hub.Find("live/cam1")!;
        using var player = stream.Subscribe("rtmp", "10.0.0.1:5000");
        using var internalReader = stream.Subscribe("srt-feed", null);
        var first = new StreamViewer("srt", "10.0.0.2:6000");
        var second = new StreamViewer("srt", "10.0.0.3:6000");

        stream.AddViewer(first);
        stream.AddViewer(second);
        Assert.Equal([("rtmp", "10.0.0.1:5000"), ("srt", "10.0.0.2:6000"), ("srt", "10.0.0.3:6000")], stream.Audience.ToArray());

        stream.RemoveViewer(first);
        stream.RemoveViewer(first);
        Assert.Equal([second], stream.Viewers);
        Assert.Equal([("rtmp", "10.0.0.1:5000"), ("srt", "10.0.0.3:6000")], stream.Audience.ToArray());
        publisher!.Dispose();
    }
}
