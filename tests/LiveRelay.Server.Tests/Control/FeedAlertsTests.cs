using LiveRelay.Server.Control;
using LiveRelay.Testing;

namespace LiveRelay.Server.Tests.Control;

public sealed class FeedAlertsTests
{
    private const string Path = "live/cam1";

    private readonly ManualTimeProvider _time = new();
    private readonly List<Alert> _published = [];
    private readonly FeedAlerts _alerts;

    public FeedAlertsTests()
    {
        _alerts = new FeedAlerts(_time);
        _alerts.Changed += _published.Add;
    }

    private static FeedHealth Health(double kbps = 2000, double? sinceKeyframe = 0.5, double? audioDb = -18) =>
        new(Path, kbps, 25, 1, sinceKeyframe, 1280, 720, audioDb, 1, null);

    /// <summary>One evaluation a second, as the control plane does.</summary>
    private void Seconds(int count, Func<FeedHealth> health)
    {
        for (var i = 0; i < count; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            _alerts.Evaluate(health(), hasVideo: true, TimeSpan.FromMinutes(1));
        }
    }

    [Fact]
    public void HealthyFeed_RaisesNothing()
    {
        Seconds(30, () => Health());

        Assert.Empty(_published);
    }

    [Fact]
    public void NoKeyframeForOver10s_RaisedOnce_ClearedWhenOneArrives()
    {
        _alerts.Evaluate(Health(sinceKeyframe: 9), true, TimeSpan.FromMinutes(1));
        Assert.Empty(_published);

        _alerts.Evaluate(Health(sinceKeyframe: 11), true, TimeSpan.FromMinutes(1));
        _alerts.Evaluate(Health(sinceKeyframe: 12), true, TimeSpan.FromMinutes(1));
        _alerts.Evaluate(Health(sinceKeyframe: 0.1), true, TimeSpan.FromMinutes(1));

        Assert.Equal([(AlertKind.NoKeyframe, false), (AlertKind.NoKeyframe, true)], _published.Select(a => (a.Kind, a.Cleared)));
        Assert.Equal(_published[0].Id, _published[1].Id);
    }

    [Fact]
    public void BitrateCollapse_BelowAQuarterOfTheLast10s_RaisedAndClearedOnRecovery()
    {
        Seconds(10, () => Health(kbps: 2000));
        Seconds(5, () => Health(kbps: 300));
        var raised = Assert.Single(_published);
        Assert.Equal(AlertKind.BitrateCollapse, raised.Kind);
        Assert.Contains("300", raised.Message);

        Seconds(1, () => Health(kbps: 1500));

        Assert.Equal([false, true], _published.Select(a => a.Cleared));
    }

    [Fact]
    public void AudioSilentFor10s_Raised_AndClearedWhenSoundReturns()
    {
        Seconds(10, () => Health(audioDb: -90));
        Assert.Empty(_published);

        Seconds(2, () => Health(audioDb: -90));
        Assert.Equal(AlertKind.AudioSilent, Assert.Single(_published).Kind);

        Seconds(1, () => Health(audioDb: -20));
        Assert.True(_published[^1].Cleared);
    }

    [Fact]
    public void UnknownAudioLevel_IsNotSilence()
    {
        Seconds(30, () => Health(audioDb: null));

        Assert.Empty(_published);
    }

    [Fact]
    public void FeedLost_IsCritical_ClearedWhenTheFeedReturns_AndKeptInRecent()
    {
        _alerts.FeedLost(Path);
        _alerts.FeedLost(Path);
        _alerts.FeedOnline(Path);

        Assert.Equal([(AlertKind.FeedLost, AlertSeverity.Critical, false), (AlertKind.FeedLost, AlertSeverity.Critical, true)], _published.Select(a => (a.Kind, a.Severity, a.Cleared)));
        var recent = Assert.Single(_alerts.Recent);
        Assert.True(recent.Cleared);
    }

    [Fact]
    public void StreamEnded_ClearsWhatWasActiveForIt()
    {
        _alerts.FeedLost(Path);
        _alerts.Raise(AlertKind.Fallback, AlertSeverity.Critical, "program/x", "on the slate");

        _alerts.StreamEnded(Path);

        Assert.Equal([(AlertKind.FeedLost, true), (AlertKind.Fallback, false)], _alerts.Recent.Select(a => (a.Kind, a.Cleared)).OrderBy(a => a.Kind));
    }
}
