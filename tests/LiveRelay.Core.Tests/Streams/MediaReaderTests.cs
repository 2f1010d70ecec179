using LiveRelay.Core.Streams;
using LiveRelay.Testing;
using static LiveRelay.Core.Tests.TestSupport.Frames;

namespace LiveRelay.Core.Tests.Streams;

public sealed class MediaReaderTests
{
    private readonly ManualTimeProvider _time = new();

    private (StreamHub Hub, StreamPublisher Publisher) Publish(ReaderOptions? readers = null)
    {
        var hub = new StreamHub(new StreamOptions { Readers = readers ?? ReaderOptions.Default }, _time);
        Assert.Equal(PublishStatus.Started, hub.TryPublish("live/cam1", new PublisherInfo("test", null), out var publisher));
        return (hub, publisher!);
    }

    [Fact]
    public void TryRead_FramesWritten_ArriveInOrderWithOneReferenceEach()
    {
        var (hub, publisher) = Publish();
        using var reader = hub.Find("live/cam1")!.Subscribe("test", "peer");
        var sent = new[] { VideoAt(0, key: true), AudioAt(10), VideoAt(40) };
        foreach (var frame in sent)
        {
            publisher.Write(frame);
        }

        var received = Drain(reader);
        Assert.Equal([0L, 10L, 40L], received.Select(Ms));
        Assert.Same(sent[0], received[0]);

        // The stream's GOP cache holds one reference and the consumer one.
        Assert.All(received, f => Assert.Equal(2, f.RefCount));
        foreach (var frame in received)
        {
            frame.Release();
        }

        Assert.All(sent, f => Assert.Equal(1, f.RefCount));
        Assert.Equal(3, reader.DeliveredFrames);
    }

    [Fact]
    public async Task WaitToReadAsync_FrameArrivesLater_CompletesTrue()
    {
        var (hub, publisher) = Publish();
        using var reader = hub.Find("live/cam1")!.Subscribe("test", "peer");
        var wait = reader.WaitToReadAsync();
        Assert.False(wait.IsCompleted);

        publisher.Write(VideoAt(0, key: true));

        Assert.True(await wait);
        Assert.True(reader.TryRead(out var frame));
        frame.Release();
    }

    [Fact]
    public void Enqueue_ReaderFallsBehind_DropsQueueAndResumesAtNextKeyframe()
    {
        var (hub, publisher) = Publish(new ReaderOptions { MaxQueuedDuration = TimeSpan.FromSeconds(1), MaxSkips = 10 });
        using var reader = hub.Find("live/cam1")!.Subscribe("test", "peer");

        // 2 s of 25 fps video with a keyframe every second, never read.
        for (var ms = 0; ms < 2000; ms += 40)
        {
            publisher.Write(VideoAt(ms, key: ms % 1000 == 0));
        }

        var received = Drain(reader);
        Assert.Equal(25, reader.DroppedFrames);
        Assert.Equal(25, received.Count);
        Assert.True(received[0].IsKeyframe, "after a skip the reader must resume on a keyframe");
        Assert.Equal(1000, Ms(received[0]));
        Assert.Equal(50, reader.DroppedFrames + received.Count);
        received.ForEach(f => f.Release());
    }

    [Fact]
    public async Task Enqueue_ReaderSkipsTooOften_IsCutOffAndPublisherCarriesOn()
    {
        var (hub, publisher) = Publish(new ReaderOptions { MaxQueuedDuration = TimeSpan.FromMilliseconds(500), MaxSkips = 2, SkipWindow = TimeSpan.FromSeconds(30) });
        var stream = hub.Find("live/cam1")!;
        using var slow = stream.Subscribe("test", "slow");
        using var fast = stream.Subscribe("test", "fast");

        for (var ms = 0; ms < 5000; ms += 40)
        {
            publisher.Write(VideoAt(ms, key: ms % 1000 == 0));
            Drain(fast).ForEach(f => f.Release());
        }

        Assert.Equal(ReaderCloseReason.TooSlow, slow.CloseReason);
        Assert.False(await slow.WaitToReadAsync());
        Assert.Equal(ReaderCloseReason.None, fast.CloseReason);
        Assert.Equal(125, fast.DeliveredFrames);
        Assert.Equal(0, fast.DroppedFrames);
    }

    [Fact]
    public void Enqueue_NeverReadReader_QueueStaysBounded()
    {
        var (hub, publisher) = Publish(new ReaderOptions { MaxQueuedFrames = 64, MaxSkips = 1000 });
        using var reader = hub.Find("live/cam1")!.Subscribe("test", "peer");
        for (var ms = 0; ms < 100_000; ms += 40)
        {
            publisher.Write(VideoAt(ms, key: ms % 2000 == 0));
        }

        Assert.InRange(reader.QueuedFrames, 1, 64);
        Assert.True(reader.DroppedFrames > 2000);
    }

    [Fact]
    public async Task Dispose_WhileWaiting_ReleasesQueueAndCompletesWait()
    {
        var (hub, publisher) = Publish();
        var stream = hub.Find("live/cam1")!;
        var reader = stream.Subscribe("test", "peer");
        var frame = VideoAt(0, key: true);
        publisher.Write(frame);
        Assert.Equal(2, frame.RefCount); // GOP cache + reader queue

        reader.Dispose();

        Assert.Equal(1, frame.RefCount);
        Assert.Empty(stream.Readers);
        Assert.False(await reader.WaitToReadAsync());
    }

    [Fact]
    public void WaitToReadAsync_SecondConcurrentWaiter_Throws()
    {
        var (hub, _) = Publish();
        using var reader = hub.Find("live/cam1")!.Subscribe("test", "peer");
        _ = reader.WaitToReadAsync();
        Assert.Throws<InvalidOperationException>(() => reader.WaitToReadAsync());
    }

    [Fact]
    public async Task WaitToReadAsync_MergedWrites_WakesOncePerBatchButFirstBatchAtOnce()
    {
        // Batches are jittered to 0.5–1.5× the duration: 200 ms means 100–300 ms here.
        var (hub, publisher) = Publish(new ReaderOptions { MinBatchDuration = TimeSpan.FromMilliseconds(200) });
        publisher.Write(VideoAt(0, key: true));
        using var reader = hub.Find("live/cam1")!.Subscribe("test", "peer");

        // The GOP cache is the first batch: ready at once.
        Assert.True(await reader.WaitToReadAsync());
        Drain(reader).ForEach(f => f.Release());

        var wait = reader.WaitToReadAsync();
        publisher.Write(VideoAt(40));
        publisher.Write(VideoAt(80));
        Assert.False(wait.IsCompleted, "40 ms of media is less than a batch");

        publisher.Write(VideoAt(380));
        Assert.True(await wait);
        Assert.Equal([40L, 80L, 380L], Drain(reader).Select(f => { var ms = Ms(f); f.Release(); return ms; }));
    }

    [Fact]
    public async Task WaitToReadAsync_MergedWritesAndStreamEnds_PartialBatchIsDelivered()
    {
        var (hub, publisher) = Publish(new ReaderOptions { MinBatchDuration = TimeSpan.FromSeconds(1) });
        using var reader = hub.Find("live/cam1")!.Subscribe("test", "peer");
        publisher.Write(VideoAt(0, key: true));
        Assert.True(await reader.WaitToReadAsync());
        Drain(reader).ForEach(f => f.Release());

        var wait = reader.WaitToReadAsync();
        publisher.Write(VideoAt(40));
        hub.EndAll();

        Assert.True(await wait);
        Assert.Single(Drain(reader)).Release();
        Assert.False(await reader.WaitToReadAsync());
    }

    [Fact]
    public async Task WaitToReadAsync_MergedWritesAndKeyframe_WakesAtOnce()
    {
        var (hub, publisher) = Publish(new ReaderOptions { MinBatchDuration = TimeSpan.FromSeconds(1) });
        using var reader = hub.Find("live/cam1")!.Subscribe("test", "peer");
        publisher.Write(VideoAt(0, key: true));
        Assert.True(await reader.WaitToReadAsync());
        Drain(reader).ForEach(f => f.Release());

        var wait = reader.WaitToReadAsync();
        publisher.Write(VideoAt(40));
        Assert.False(wait.IsCompleted);
        publisher.Write(VideoAt(80, key: true));

        Assert.True(await wait);
        Assert.Equal(2, Drain(reader).Select(f => { f.Release(); return 1; }).Count());
    }
}
