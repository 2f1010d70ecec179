using LiveRelay.Protocols.WebRtc.Stun;

namespace LiveRelay.Protocols.WebRtc.Tests.Stun;

public sealed class IceCredentialsTests
{
    [Fact]
    public void NewUfragAndPassword_LengthsAndIceChars()
    {
        var ufrag = IceCredentials.NewUfrag();
        var password = IceCredentials.NewPassword();

        Assert.Equal(8, ufrag.Length);
        Assert.Equal(24, password.Length);
        Assert.All(ufrag + password, c => Assert.Contains(c, IceCredentials.IceChars));
        Assert.NotEqual(password, IceCredentials.NewPassword());
    }

    [Theory]
    [InlineData("evtj:h6vY", "evtj", "h6vY")]
    [InlineData("Ab+/1234:x", "Ab+/1234", "x")]
    public void TrySplitUsername_OneColon_Splits(string username, string local, string remote)
    {
        Assert.True(IceCredentials.TrySplitUsername(username, out var l, out var r));
        Assert.Equal((local, remote), (l, r));
    }

    [Theory]
    [InlineData("")]
    [InlineData("evtj")]
    [InlineData(":h6vY")]
    [InlineData("evtj:")]
    [InlineData("a:b:c")]
    public void TrySplitUsername_Malformed_False(string username)
    {
        Assert.False(IceCredentials.TrySplitUsername(username, out var local, out var remote));
        Assert.Equal(("", ""), (local, remote));
    }
}
