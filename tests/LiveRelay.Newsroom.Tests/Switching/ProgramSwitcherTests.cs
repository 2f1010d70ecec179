using LiveRelay.Core.Media;
using LiveRelay.Core.Streams;
using LiveRelay.Newsroom.Switching;
using LiveRelay.Newsroom.Tests.TestSupport;
using LiveRelay.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace LiveRelay.Newsroom.Tests.Switching;

/// <summary>
/// The switcher driven step by step: the test publishes synthetic feeds into a real hub, calls
/// <see cref="ProgramSwitcher.Pump"/> with a hand-moved clock (never <see cref="ProgramSwitcher.Start"/>),
/// and reads what the program output carries. Slates are made by ffmpeg once per run, in a shared directory.
/// </summary>
public sealed class ProgramSwitcherTests : IClassFixture<TempDirectory>, IAsyncLifetime
{
    private const string ProgramPath = "program/r1";
    private const byte SlateTag = (byte)'S';
    private static readonly TimeSpan s_frame = TimeSpan.FromMilliseconds(40);

    private readonly ManualTimeProvider _time = new();
    private readonly StreamHub _hub;
    private readonly SlateLibrary _slates;
    private readonly ProgramSwitcher _switcher;
    private readonly MediaReader _program;
    private readonly List<ProgramFrame> _frames = [];
    private readonly List<TakeResult> _takes = [];
    private readonly List<ProgramStatus> _statusChanges = [];
    private readonly List<SyntheticFeed> _feeds = [];
    private HashSet<TrackInfo> _slateTracks = [];

    public ProgramSwitcherTests(TempDirectory slateDirectory)
    {
        _hub = new StreamHub(new StreamOptions(), _time);
        _slates = new SlateLibrary(slateDirectory.Path, null, NullLogger<SlateLibrary>.Instance);
        _switcher = new ProgramSwitcher(ProgramPath, _hub, _slates, new ProgramOptions(), _time, null, NullLogger.Instance);
        _switcher.TakeCompleted += (_, result) => _takes.Add(result);
        _switcher.StatusChanged += (_, status) => _statusChanges.Add(status);
        _program = _hub.Find(ProgramPath)!.Subscribe("test", null);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _program.Dispose();
        await _switcher.DisposeAsync();
        foreach (var feed in _feeds)
        {
            feed.Dispose();
        }

        if (_frames.Any(f => f.Kind == MediaKind.Video))
        {
            // A cut to video asks for that size's slate in the background: let ffmpeg finish before the next test.
            await _slates.GetAsync(SyntheticFeed.Width, SyntheticFeed.Height);
        }

        _slates.Dispose();
        _hub.Dispose();
    }

    [Fact]
    public void Take_PathNotLive_ReturnsWhyAndTakesNothing()
    {
        var feed = Feed("live/a", (byte)'A', 0);
        feed.Unpublish();

        Assert.Equal("live/none is not live", _switcher.Take("live/none", null));
        Assert.Equal("live/a is not live", _switcher.Take("live/a", null));
        Assert.Equal("a program output cannot be taken into a program", _switcher.Take(ProgramPath, null));
        Pump();

        Assert.Equal(ProgramMode.Idle, _switcher.Status.Mode);
        Assert.Null(_switcher.Status.PendingSource);
        Assert.Null(_switcher.Status.OnAirSource);
        Assert.Empty(_takes);
    }

    [Fact]
    public void Take_TargetHasCachedKeyframe_CutsOnItsNextKeyframe()
    {
        var a = Feed("live/a", (byte)'A', startDts: 0);
        var b = Feed("live/b", (byte)'B', startDts: 9_000_000);
        TakeAndCut(a);
        while (b.Index < 7)
        {
            b.Step(); // b's GOP cache now starts at its keyframe 5
            a.Step();
            Pump();
        }

        Assert.Null(_switcher.Take("live/b", "item-b"));
        Pump();
        Assert.Equal("live/b", _switcher.Status.PendingSource);
        while (b.Index <= 12)
        {
            a.Step();
            b.Step();
            Pump();
        }

        var fromB = _frames.Where(f => f.Tag == b.Tag).ToList();
        var firstB = fromB[0];
        Assert.Equal(MediaKind.Video, firstB.Kind);
        Assert.True(firstB.IsKeyframe);
        Assert.Equal(10, firstB.Index);
        Assert.DoesNotContain(fromB, f => f.Kind == MediaKind.Video && f.Index < 10);
        Assert.DoesNotContain(fromB, f => f.Kind == MediaKind.Audio && f.Index < 20);
        Assert.Equal([10, 11, 12], fromB.Where(f => f.Kind == MediaKind.Video).Select(f => f.Index));
        Assert.DoesNotContain(_frames.SkipWhile(f => f.Tag != b.Tag), f => f.Tag == a.Tag);
        Assert.Equal(ProgramMode.OnAir, _switcher.Status.Mode);
        Assert.Equal("live/b", _switcher.Status.ShowingSource);
        Assert.Equal("item-b", _switcher.Status.OnAirItemId);
    }

    [Fact]
    public void Take_SeveralTakes_ProgramTimelineIsMonotonicAndCutsFortyMillisecondsApart()
    {
        var a = Feed("live/a", (byte)'A', startDts: 450_000, gop: 5);
        var b = Feed("live/b", (byte)'B', startDts: 77_777_777, gop: 7);
        TakeAndCut(a);
        foreach (var (target, stepsAfter) in new[] { (b, 3), (a, 9), (b, 1), (a, 4), (b, 12) })
        {
            Assert.Null(_switcher.Take(target.Path, null));
            Pump();
            var before = _switcher.Status.Takes;
            while (_switcher.Status.Takes == before)
            {
                a.Step();
                b.Step();
                Pump();
            }

            for (var i = 0; i < stepsAfter; i++)
            {
                a.Step();
                b.Step();
                Pump();
            }
        }

        Assert.Equal(6, _takes.Count);
        Assert.All(_takes, t => Assert.True(t.Succeeded));
        Assert.Equal(0, _frames[0].Dts); // the program's timeline starts at zero
        foreach (var kind in new[] { MediaKind.Video, MediaKind.Audio })
        {
            var dts = _frames.Where(f => f.Kind == kind).Select(f => f.Dts).ToList();
            Assert.All(dts.Zip(dts.Skip(1)), pair => Assert.True(pair.Second > pair.First, $"{kind} DTS {pair.Second} after {pair.First}"));
        }

        Assert.All(_frames.Where(f => f.Kind == MediaKind.Video), f => Assert.Equal(SyntheticFeed.VideoCompositionOffset, f.Pts - f.Dts));
        var cuts = 0;
        for (var i = 1; i < _frames.Count; i++)
        {
            if (_frames[i].Tag != _frames[i - 1].Tag)
            {
                cuts++;
                var lastBefore = _frames.Take(i).Max(f => f.Dts);
                Assert.True(_frames[i].IsKeyframe);
                Assert.Equal(lastBefore + 3600, _frames[i].Dts);
            }
        }

        Assert.Equal(5, cuts);
    }

    [Fact]
    public void TakeCompleted_KeyframeThreeFramesLater_ReportsSuccessAndLatency()
    {
        var a = Feed("live/a", (byte)'A', startDts: 0, gop: 5);
        for (var i = 0; i < 3; i++)
        {
            a.Step(); // frames 0–2: the next keyframe is 5
        }

        Assert.Null(_switcher.Take("live/a", "item-1"));
        Pump();
        while (_takes.Count == 0)
        {
            _time.Advance(s_frame);
            a.Step();
            Pump();
        }

        var take = Assert.Single(_takes);
        Assert.Equal(new TakeResult("live/a", "item-1", true, TimeSpan.FromMilliseconds(120), null), take);
        var status = _switcher.Status;
        Assert.Equal(ProgramMode.OnAir, status.Mode);
        Assert.Equal("live/a", status.OnAirSource);
        Assert.Equal("item-1", status.OnAirItemId);
        Assert.Equal("live/a", status.ShowingSource);
        Assert.Null(status.PendingSource);
        Assert.Equal(1, status.Takes);
        Assert.Equal(120.0, status.LastTakeLatencyMs);
        Assert.Equal(ProgramMode.OnAir, Assert.Single(_statusChanges).Mode);
    }

    [Fact]
    public void TakeCompleted_NoKeyframeWithinTimeout_ReportsFailure()
    {
        var a = Feed("live/a", (byte)'A', startDts: 0, gop: 1000);
        a.Step(); // the keyframe goes by before the take
        Assert.Null(_switcher.Take("live/a", "item-1"));
        Pump();
        for (var i = 0; i < 5; i++)
        {
            a.Step();
            Pump();
        }

        _time.Advance(TimeSpan.FromSeconds(10.5));
        Pump();

        var take = Assert.Single(_takes);
        Assert.False(take.Succeeded);
        Assert.Equal("live/a sent no keyframe within 10 s", take.Error);
        Assert.Null(_switcher.Status.PendingSource);
        Assert.Empty(_frames);
    }

    [Fact]
    public async Task Pump_OnAirPublisherLeavesAndReturns_FallsBackToSlateAndReturns()
    {
        var clip = await _slates.GetAsync(SyntheticFeed.Width, SyntheticFeed.Height); // ffmpeg, once per run
        _slateTracks = [.. clip.Frames.Select(f => f.Track)];
        var a = Feed("live/a", (byte)'A', startDts: 0, gop: 5);
        TakeAndCut(a);
        for (var i = 0; i < 6; i++)
        {
            _time.Advance(s_frame);
            a.Step();
            Pump();
        }

        var lastFromA = _frames.Max(f => f.Dts);
        a.Unpublish();
        Pump();

        Assert.Equal(ProgramMode.Slate, _switcher.Status.Mode);
        Assert.Equal("slate", _switcher.Status.ShowingSource);
        Assert.Equal("live/a", _switcher.Status.OnAirSource);
        Assert.Equal(1, _switcher.Status.Fallbacks);
        Assert.Equal(ProgramMode.Slate, _statusChanges[^1].Mode);

        var slateVideoInClip = clip.Frames.Count(f => f.Kind == MediaKind.Video);
        var countAfterOneSecond = 0;
        for (var i = 1; i <= 50; i++) // two seconds: more than one pass of the 1.28 s clip
        {
            _time.Advance(s_frame);
            Pump();
            if (i == 25)
            {
                countAfterOneSecond = _frames.Count(f => f.Tag == SlateTag);
            }
        }

        var slate = _frames.Where(f => f.Tag == SlateTag).ToList();
        Assert.InRange(countAfterOneSecond, 1, slate.Count - 1); // frames keep coming as the clock moves
        Assert.True(slate.Count(f => f.Kind == MediaKind.Video) > slateVideoInClip, "the slate loops");
        Assert.Contains(slate, f => f.Kind == MediaKind.Audio);
        Assert.True(slate[0].Dts >= lastFromA + 3600);
        Assert.True(slate.Where(f => f.Kind == MediaKind.Video).First().IsKeyframe);

        a.Republish();
        Pump(); // sees the feed live again and subscribes to it
        Assert.Equal("live/a", _switcher.Status.PendingSource);
        Assert.Equal(ProgramMode.Slate, _switcher.Status.Mode);
        var beforeReturn = _frames.Count;
        while (_switcher.Status.Mode != ProgramMode.OnAir)
        {
            _time.Advance(s_frame);
            a.Step();
            Pump();
            Assert.True(a.Index < 20, "the program did not return to its feed");
        }

        for (var i = 0; i < 5; i++)
        {
            _time.Advance(s_frame);
            a.Step();
            Pump();
        }

        var afterReturn = _frames.Skip(beforeReturn).SkipWhile(f => f.Tag == SlateTag).ToList();
        Assert.True(afterReturn[0].IsKeyframe);
        Assert.Equal(_frames.Take(_frames.Count - afterReturn.Count).Max(f => f.Dts) + 3600, afterReturn[0].Dts);
        Assert.All(afterReturn, f => Assert.Equal(a.Tag, f.Tag));
        Assert.Equal("live/a", _switcher.Status.ShowingSource);
        Assert.Equal(1, _switcher.Status.Takes); // the automatic return is not a take
        Assert.Single(_takes);
        Assert.Equal([ProgramMode.OnAir, ProgramMode.Slate, ProgramMode.OnAir], _statusChanges.Select(s => s.Mode));
        foreach (var kind in new[] { MediaKind.Video, MediaKind.Audio })
        {
            var dts = _frames.Where(f => f.Kind == kind).Select(f => f.Dts).ToList();
            Assert.All(dts.Zip(dts.Skip(1)), pair => Assert.True(pair.Second > pair.First, $"{kind} DTS {pair.Second} after {pair.First}"));
        }
    }

    [Fact]
    public void Pump_OnAirLostWithBackupFeed_CutsToBackupOnItsKeyframeThenReturns()
    {
        _switcher.Configure(LiveRelay.Newsroom.Model.FallbackMode.Feed, "live/backup", returnWhenBack: true);
        var a = Feed("live/a", (byte)'A', startDts: 0, gop: 5);
        var backup = Feed("live/backup", (byte)'B', startDts: 900_000, gop: 5);
        TakeAndCut(a);
        for (var i = 0; i < 6; i++)
        {
            _time.Advance(s_frame);
            a.Step();
            backup.Step();
            Pump();
        }

        a.Unpublish();
        Pump();
        Assert.Equal(ProgramMode.FallbackFeed, _switcher.Status.Mode);
        Assert.Equal("live/backup", _switcher.Status.PendingSource);
        var lastFromA = _frames.Max(f => f.Dts);
        while (_switcher.Status.ShowingSource != "live/backup")
        {
            _time.Advance(s_frame);
            backup.Step();
            Pump();
            Assert.True(backup.Index < 100, "the program never cut to the backup feed");
        }

        var fromBackup = _frames.Where(f => f.Tag == backup.Tag).ToList();
        Assert.True(fromBackup[0].IsKeyframe);
        Assert.Equal(lastFromA + 3600, fromBackup[0].Dts);

        a.Republish();
        while (_switcher.Status.Mode != ProgramMode.OnAir)
        {
            _time.Advance(s_frame);
            a.Step();
            backup.Step();
            Pump();
            Assert.True(a.Index < 100, "the program did not return to its feed");
        }

        Assert.Equal("live/a", _switcher.Status.ShowingSource);
        Assert.Equal(1, _switcher.Status.Fallbacks);
        Assert.Equal([ProgramMode.OnAir, ProgramMode.FallbackFeed, ProgramMode.OnAir], _statusChanges.Select(s => s.Mode));
        foreach (var kind in new[] { MediaKind.Video, MediaKind.Audio })
        {
            var dts = _frames.Where(f => f.Kind == kind).Select(f => f.Dts).ToList();
            Assert.All(dts.Zip(dts.Skip(1)), pair => Assert.True(pair.Second > pair.First, $"{kind} DTS {pair.Second} after {pair.First}"));
        }
    }

    [Fact]
    public void Pump_OnAirLostWithNoFallback_HoldsWithoutOutputUntilTheFeedReturns()
    {
        _switcher.Configure(LiveRelay.Newsroom.Model.FallbackMode.None, null, returnWhenBack: false);
        var a = Feed("live/a", (byte)'A', startDts: 0, gop: 5);
        TakeAndCut(a);
        a.Unpublish();
        Pump();
        var count = _frames.Count;
        for (var i = 0; i < 50; i++)
        {
            _time.Advance(s_frame);
            Pump();
        }

        Assert.Equal(ProgramMode.Holding, _switcher.Status.Mode);
        Assert.Equal(count, _frames.Count);
        a.Republish();
        for (var i = 0; i < 20; i++)
        {
            _time.Advance(s_frame);
            a.Step();
            Pump();
        }

        // Holding shows nothing else, so the feed comes back on its next keyframe, on the same timeline.
        Assert.Equal(ProgramMode.OnAir, _switcher.Status.Mode);
        var resumed = _frames.Skip(count).ToList();
        Assert.NotEmpty(resumed);
        Assert.True(resumed.First(f => f.Kind == MediaKind.Video).IsKeyframe);
        Assert.Equal(_frames.Take(count).Max(f => f.Dts) + 3600, resumed[0].Dts);
    }

    private SyntheticFeed Feed(string path, byte tag, long startDts, int gop = 5)
    {
        var feed = new SyntheticFeed(_hub, path, tag, startDts, gop);
        _feeds.Add(feed);
        return feed;
    }

    /// <summary>Takes <paramref name="feed"/> and steps it until the program has cut to it.</summary>
    private void TakeAndCut(SyntheticFeed feed)
    {
        Assert.Null(_switcher.Take(feed.Path, "item-" + (char)feed.Tag));
        Pump();
        var takes = _switcher.Status.Takes;
        while (_switcher.Status.Takes == takes)
        {
            feed.Step();
            Pump();
            Assert.True(feed.Index < 1000, "the take never completed");
        }
    }

    /// <summary>One switcher step at the clock's time; collects what the program output got.</summary>
    private void Pump()
    {
        _switcher.Pump(_time.GetUtcNow());
        while (_program.TryRead(out var frame))
        {
            var tag = _slateTracks.Contains(frame.Track) ? SlateTag : frame.Payload.Span[0];
            var index = tag == SlateTag ? -1 : SyntheticFeed.IndexOf(frame.Payload.Span);
            _frames.Add(new ProgramFrame(tag, index, frame.Kind, frame.Dts, frame.Pts, frame.IsKeyframe));
            frame.Release();
        }
    }

    private sealed record ProgramFrame(byte Tag, int Index, MediaKind Kind, long Dts, long Pts, bool IsKeyframe);
}
