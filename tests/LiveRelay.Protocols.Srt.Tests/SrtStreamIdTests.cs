namespace LiveRelay.Protocols.Srt.Tests;

public sealed class SrtStreamIdTests
{
    [Theory]
    [InlineData("#!::r=live/cam1,m=publish", "live/cam1", SrtMode.Publish)]
    [InlineData("#!::m=request,r=live/cam1", "live/cam1", SrtMode.Request)]
    [InlineData("#!::r=live/cam1", "live/cam1", SrtMode.Auto)]
    [InlineData("publish:live/cam1", "live/cam1", SrtMode.Publish)]
    [InlineData("read:live/cam1", "live/cam1", SrtMode.Request)]
    [InlineData("live/cam1", "live/cam1", SrtMode.Auto)]
    [InlineData("live/cam1?key=secret", "live/cam1", SrtMode.Auto)]
    [InlineData("program/42", "program/42", SrtMode.Auto)]
    [InlineData("%23%21%3A%3Ar%3Dlive%2Fcam1%2Cm%3Drequest", "live/cam1", SrtMode.Request)]
    public void TryParse_AcceptedForms_GivePathAndMode(string text, string path, SrtMode mode)
    {
        Assert.True(SrtStreamId.TryParse(text, out var id, out var error), error);
        Assert.Equal(path, id!.Path);
        Assert.Equal(mode, id.Mode);
    }

    [Fact]
    public void TryParse_AccessControlForm_KeepsUserSessionAndOtherKeys()
    {
        Assert.True(SrtStreamId.TryParse("#!::r=live/cam1,m=publish,u=alice,s=abc123,t=stream", out var id, out _));

        Assert.Equal("alice", id!.User);
        Assert.Equal("abc123", id.Session);
        Assert.Equal("stream", id.Parameters["t"]);
    }

    [Fact]
    public void TryParse_QueryAfterPath_IsKept()
    {
        Assert.True(SrtStreamId.TryParse("publish:live/cam1?key=secret&x", out var id, out _));
        Assert.Equal("secret", id!.Parameters["key"]);
        Assert.Equal("", id.Parameters["x"]);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("#!::m=publish", "no r= resource")]
    [InlineData("#!::r=live/cam1,m=bidirectional", "not supported")]
    [InlineData("#!::r=live/cam1,garbage", "not key=value")]
    [InlineData("cam1", "2 to 4 segments")]
    [InlineData("live/../etc", "'.' and '..'")]
    public void TryParse_Malformed_ExplainsWhy(string text, string reason)
    {
        Assert.False(SrtStreamId.TryParse(text, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_TooLong_IsRefused()
    {
        Assert.False(SrtStreamId.TryParse("live/" + new string('a', 600), out _, out var error));
        Assert.Contains("longer than 512", error, StringComparison.Ordinal);
    }
}
