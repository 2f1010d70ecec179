using LiveRelay.Core.Streams;

namespace LiveRelay.Core.Tests.Streams;

public sealed class StreamPathTests
{
    [Theory]
    [InlineData("live/cam1", "live/cam1")]
    [InlineData("/live/cam1/", "live/cam1")]
    [InlineData("program/42", "program/42")]
    [InlineData("live/north/cam-1_a.b~c", "live/north/cam-1_a.b~c")]
    public void TryNormalize_ValidPath_ReturnsNormalized(string raw, string expected)
    {
        Assert.True(StreamPath.TryNormalize(raw, out var path, out _));
        Assert.Equal(expected, path);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("cam1", "2 to 4 segments")]
    [InlineData("a/b/c/d/e", "2 to 4 segments")]
    [InlineData("live//cam1", "1 to 64")]
    [InlineData("live/..", "'.' and '..'")]
    [InlineData("live/cam 1", "not allowed")]
    [InlineData("live/摄像机", "not allowed")]
    public void TryNormalize_InvalidPath_ExplainsWhy(string raw, string reason)
    {
        Assert.False(StreamPath.TryNormalize(raw, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryNormalize_TooLong_IsRefused()
    {
        Assert.False(StreamPath.TryNormalize("a/" + new string('b', 300), out _, out var error));
        Assert.Contains("longer than", error, StringComparison.Ordinal);
    }
}
