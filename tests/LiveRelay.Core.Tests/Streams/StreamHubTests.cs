using LiveRelay.Core.Media;
using LiveRelay.Core.Streams;
using LiveRelay.Testing;
using static LiveRelay.Core.Tests.TestSupport.Frames;

namespace LiveRelay.Core.Tests.Streams;

public sealed class StreamHubTests
{
    private readonly ManualTimeProvider _time = new();

    private StreamHub NewHub(double graceSeconds = 10) =>
        new(new StreamOptions { ReconnectGrace = TimeSpan.FromSeconds(graceSeconds) }, _time);

    [Fact]
    public void TryPublish_ReservedApp_IsRefusedExceptForInternalOutputs()
    {
        var hub = NewHub();

        Assert.Equal(PublishStatus.Reserved, hub.TryPublish("program/abc", new PublisherInfo("rtmp", "a"), out var encoder));
        Assert.Null(encoder);
        Assert.Null(hub.Find("program/abc"));
        Assert.Equal(PublishStatus.Started, hub.TryPublish("program/abc", new PublisherInfo("program", null, IsInternal: true), out var program));
        Assert.NotNull(program);
        Assert.Equal(PublishStatus.Started, hub.TryPublish("programs/abc", new PublisherInfo("rtmp", "a"), out _));
    }

    [Fact]
    public void TryPublish_PathAlreadyLive_IsRefused()
    {
        var hub = NewHub();
        Assert.Equal(PublishStatus.Started, hub.TryPublish("live/cam1", new PublisherInfo("rtmp", "a"), out _));

        Assert.Equal(PublishStatus.AlreadyPublishing, hub.TryPublish("live/cam1", new PublisherInfo("rtmp", "b"), out var second));
        Assert.Null(second);
        Assert.Equal("a", hub.Find("live/cam1")!.Publisher!.RemoteAddress);
    }

    [Fact]
    public void TryPublish_Takeover_ClosesTheLiveSession_AndTheStreamCarriesOn()
    {
        var hub = NewHub();
        var started = 0;
        hub.StreamStarted += _ => started++;
        hub.TryPublish("live/phone", new PublisherInfo("rtmp", "old-network"), out var stale);
        var stream = hub.Find("live/phone")!;
        using var reader = stream.Subscribe("test", "player");
        stale!.Write(VideoAt(1000, key: true));
        string? evicted = null;
        stale.Evicted.Register(() => evicted = stale.EvictedReason);

        Assert.Equal(PublishStatus.TookOver, hub.TryPublish("live/phone", new PublisherInfo("srt", "new-network"), out var fresh, takeover: true));

        Assert.Equal("taken over by a new publisher from new-network", evicted);
        Assert.False(stale.IsActive);
        Assert.True(fresh!.IsActive);
        Assert.Same(stream, hub.Find("live/phone"));
        Assert.Equal("new-network", stream.Publisher!.RemoteAddress);
        Assert.Equal(1, started);

        // The stale session's late frames and its disposal change nothing.
        stale.Write(VideoAt(1040));
        stale.Dispose();
        fresh.Write(VideoAt(77_000, key: true));
        Assert.Equal(StreamState.Live, stream.State);
        Assert.True(fresh.IsActive);
        Assert.Equal(2, Drain(reader).Count);
    }

    [Fact]
    public void EvictPublisher_ClosesTheSession_ThenTheGraceRuns()
    {
        var hub = NewHub(graceSeconds: 5);
        var ended = 0;
        hub.StreamEnded += _ => ended++;
        hub.TryPublish("live/cam1", new PublisherInfo("rtmp", "a"), out var publisher);
        var stream = hub.Find("live/cam1")!;

        Assert.True(stream.EvictPublisher("the feed's publish key was revoked"));

        Assert.True(publisher!.Evicted.IsCancellationRequested);
        Assert.Equal("the feed's publish key was revoked", publisher.EvictedReason);
        Assert.Equal(StreamState.Waiting, stream.State);
        Assert.False(stream.EvictPublisher("again"));
        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(1, ended);
        Assert.Null(hub.Find("live/cam1"));
        publisher.Dispose();
    }

    [Theory]
    [InlineData("live")]
    [InlineData("live/../etc")]
    [InlineData("live/ca m")]
    [InlineData("/live/cam1/")]
    public void TryPublish_InvalidPath_IsRefused(string path)
    {
        Assert.Equal(PublishStatus.InvalidPath, NewHub().TryPublish(path, new PublisherInfo("rtmp", null), out _));
    }

    [Fact]
    public void Dispose_PublisherReturnsWithinGrace_ResumesSameStreamWithContinuousTimeline()
    {
        var hub = NewHub();
        var ended = 0;
        hub.StreamEnded += _ => ended++;
        hub.TryPublish("live/cam1", new PublisherInfo("rtmp", "a"), out var first);
        var stream = hub.Find("live/cam1")!;
        using var reader = stream.Subscribe("test", "player");
        first!.Write(VideoAt(5000, key: true));
        first.Write(VideoAt(5040));
        first.Dispose();
        Assert.Equal(StreamState.Waiting, stream.State);

        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(PublishStatus.Resumed, hub.TryPublish("live/cam1", new PublisherInfo("rtmp", "b"), out var second));
        second!.Write(VideoAt(0, key: true)); // the encoder restarted its clock
        second.Write(VideoAt(40));

        Assert.Same(stream, hub.Find("live/cam1"));
        Assert.Equal(0, ended);
        var frames = Drain(reader);
        Assert.Equal([5000L, 5040L, 5080L, 5120L], frames.Select(Ms));
        Assert.Equal([1, 1, 2, 2], frames.Select(f => f.Generation));
        Assert.Equal(ReaderCloseReason.None, reader.CloseReason);
        frames.ForEach(f => f.Release());
    }

    [Fact]
    public async Task Dispose_GraceExpires_StreamEndsAndReadersComplete()
    {
        var hub = NewHub(graceSeconds: 10);
        LiveStream? endedStream = null;
        hub.StreamEnded += s => endedStream = s;
        hub.TryPublish("live/cam1", new PublisherInfo("rtmp", "a"), out var publisher);
        var stream = hub.Find("live/cam1")!;
        using var reader = stream.Subscribe("test", "player");
        publisher!.Write(VideoAt(0, key: true));
        publisher.Dispose();

        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.NotNull(hub.Find("live/cam1"));
        _time.Advance(TimeSpan.FromSeconds(2));

        Assert.Null(hub.Find("live/cam1"));
        Assert.Same(stream, endedStream);
        Assert.Equal(StreamState.Ended, stream.State);
        Assert.Equal(ReaderCloseReason.StreamEnded, reader.CloseReason);

        // Frames queued before the end are still delivered, then the reader completes.
        Assert.True(await reader.WaitToReadAsync());
        Drain(reader).ForEach(f => f.Release());
        Assert.False(await reader.WaitToReadAsync());
    }

    [Fact]
    public void Dispose_NoGrace_EndsAtOnceAndPathIsFree()
    {
        var hub = NewHub(graceSeconds: 0);
        hub.TryPublish("live/cam1", new PublisherInfo("rtmp", "a"), out var publisher);
        publisher!.Dispose();

        Assert.Null(hub.Find("live/cam1"));
        Assert.Equal(PublishStatus.Started, hub.TryPublish("live/cam1", new PublisherInfo("rtmp", "b"), out _));
    }

    [Fact]
    public void Write_ClockJumpsBackwards_TimelineStaysMonotonic()
    {
        var hub = NewHub();
        hub.TryPublish("live/cam1", new PublisherInfo("rtmp", "a"), out var publisher);
        using var reader = hub.Find("live/cam1")!.Subscribe("test", "player");
        publisher!.Write(VideoAt(60_000, key: true));
        publisher.Write(VideoAt(60_040));
        publisher.Write(VideoAt(0, key: true)); // encoder restarted without reconnecting
        publisher.Write(VideoAt(40));

        var dts = Drain(reader).Select(f => { var ms = Ms(f); f.Release(); return ms; }).ToList();
        Assert.Equal([60_000L, 60_040L, 60_080L, 60_120L], dts);
        Assert.Equal(1, publisher.TimelineBreaks);
    }

    [Fact]
    public void EndAll_CompletesEveryReader()
    {
        var hub = NewHub();
        hub.TryPublish("live/a", new PublisherInfo("rtmp", "a"), out _);
        hub.TryPublish("live/b", new PublisherInfo("rtmp", "b"), out _);
        var readers = hub.Streams.Select(s => s.Subscribe("test", "p")).ToList();

        hub.EndAll();

        Assert.Empty(hub.Streams);
        Assert.All(readers, r => Assert.Equal(ReaderCloseReason.StreamEnded, r.CloseReason));
    }
}
