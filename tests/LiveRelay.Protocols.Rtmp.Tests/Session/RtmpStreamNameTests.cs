using LiveRelay.Protocols.Rtmp.Session;

namespace LiveRelay.Protocols.Rtmp.Tests.Session;

public sealed class RtmpStreamNameTests
{
    [Theory]
    [InlineData("live", "cam1", "live/cam1")]                         // OBS: Server rtmp://host/live, key cam1
    [InlineData("live", "cam1?key=abc", "live/cam1")]                 // key as query on the stream key
    [InlineData("live?key=abc", "cam1", "live/cam1")]                 // query on the app
    [InlineData("live/", "/cam1", "live/cam1")]
    [InlineData("live/north", "cam1", "live/north/cam1")]
    [InlineData("", "live/cam1", "live/cam1")]
    [InlineData("live", "live/cam1", "live/cam1")]                    // some players repeat the app
    public void TryResolve_CommonForms_GiveStreamPath(string app, string name, string expected)
    {
        Assert.True(RtmpStreamName.TryResolve(app, name, out var path, out _, out var error), error);
        Assert.Equal(expected, path);
    }

    [Fact]
    public void TryResolve_QueriesOnAppAndName_AreMerged()
    {
        Assert.True(RtmpStreamName.TryResolve("live?token=t1", "cam1?key=k%2F1&x", out _, out var query, out _));
        Assert.Equal("t1", query["token"]);
        Assert.Equal("k/1", query["key"]);
        Assert.Equal("", query["x"]);
    }

    [Theory]
    [InlineData("live", "", "empty")]
    [InlineData("live", "?key=abc", "empty")]
    [InlineData("live", "cam 1", "not allowed")]
    [InlineData("", "cam1", "2 to 4 segments")]
    public void TryResolve_BadNames_ExplainWhy(string app, string name, string reason)
    {
        Assert.False(RtmpStreamName.TryResolve(app, name, out _, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }
}
