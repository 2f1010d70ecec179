using LiveRelay.Server.Configuration;
using LiveRelay.Server.Security;

namespace LiveRelay.Server.Tests.Security;

public sealed class SecurityOptionsTests
{
    [Theory]
    [InlineData("live/cam1", "live/cam1", true)]
    [InlineData("live/cam1", "live/cam10", false)]
    [InlineData("live/*", "live/cam1", true)]
    [InlineData("live/*", "live/north/cam1", true)]
    [InlineData("live/*", "lively/cam1", false)]
    [InlineData("live/*", "program/abc", false)]
    public void PathPattern_Matches_StreamOrWholeApp(string pattern, string path, bool expected)
    {
        Assert.True(PathPattern.TryParse(pattern, out var parsed, out var error), error);
        Assert.Equal(expected, parsed!.Matches(path));
    }

    [Theory]
    [InlineData("")]
    [InlineData("*")]
    [InlineData("live")]
    [InlineData("/*")]
    [InlineData("live/north/*")]
    [InlineData("live/../etc")]
    [InlineData("live/ca m")]
    public void PathPattern_NotAPathOrApp_IsRefusedWithTheText(string pattern)
    {
        Assert.False(PathPattern.TryParse(pattern, out _, out var error));
        Assert.Contains($"'{pattern}'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void AuthOptions_BadPatternsAndCallbacks_AreNamedByKey()
    {
        var auth = new AuthOptions
        {
            OpenPlay = ["public/*", "nope"],
            TokenPlay = ["x y/z"],
            Callbacks = new AuthCallbackOptions { OnPublish = "ftp://hooks/publish", OnPlay = "http://hooks/play", TimeoutMilliseconds = 10, FailurePolicy = "maybe" },
        };

        var errors = auth.Validate().ToList();

        Assert.Contains(errors, e => e.StartsWith("LiveRelay:Auth:OpenPlay:1:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("LiveRelay:Auth:TokenPlay:0:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("LiveRelay:Auth:Callbacks:OnPublish must be", StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.Contains("OnPlay", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("LiveRelay:Auth:Callbacks:TimeoutMilliseconds", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("LiveRelay:Auth:Callbacks:FailurePolicy", StringComparison.Ordinal));
        Assert.Equal(5, errors.Count);
        Assert.Empty(new AuthOptions().Validate());
    }

    [Fact]
    public void LimitsAndTls_Defaults_AreValid_AndNonsenseIsNamed()
    {
        Assert.Empty(new LimitsOptions().Validate());
        Assert.Empty(new TlsOptions().Validate());
        Assert.Empty(new RtmpsOptions().Validate(new TlsOptions()));

        var limits = new LimitsOptions { MaxConnections = 10, MaxConnectionsPerAddress = 11, PublisherIdleSeconds = 0.5, MaxHttpRequestBodyBytes = 10 };
        var errors = limits.Validate().ToList();
        Assert.Contains(errors, e => e.StartsWith("LiveRelay:Limits:MaxConnectionsPerAddress", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("LiveRelay:Limits:PublisherIdleSeconds", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("LiveRelay:Limits:MaxHttpRequestBodyBytes", StringComparison.Ordinal));
        Assert.Equal(3, errors.Count);

        Assert.Equal(["LiveRelay:Rtmps:Port needs a certificate: set LiveRelay:Tls:Certificate (and Key)"], new RtmpsOptions { Port = 443 }.Validate(new TlsOptions()));
        Assert.Contains(new TlsOptions { Key = "/nowhere/key.pem" }.Validate(), e => e == "LiveRelay:Tls:Key is set but LiveRelay:Tls:Certificate is not");
    }
}
