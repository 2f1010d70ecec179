using System.Net;
using LiveRelay.Integration.Tests.Infrastructure;
using LiveRelay.Protocols.Srt;

namespace LiveRelay.Integration.Tests.Srt;

/// <summary>An SRT listener with a passphrase (a server of its own): encrypted callers get in, others are refused.</summary>
public sealed class SrtPassphraseTests : IAsyncLifetime
{
    private const string Passphrase = "exchange-network-2026";
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private ServerProcess? _server;

    private ServerProcess Server => _server!;

    public async Task InitializeAsync() =>
        _server = await ServerProcess.StartAsync($"--LiveRelay:Srt:Passphrase={Passphrase}", "--LiveRelay:Srt:KeyLength=32");

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Publish_WithThePassphrase_IsLive()
    {
        await using var publisher = Ffmpeg.Publish(Server.SrtUrl($"publish:live/encrypted&passphrase={Passphrase}&pbkeylen=32"), seconds: 10, format: "mpegts");

        var stream = await Server.WaitForStreamAsync("live/encrypted", s => s.GetProperty("framesIn").GetInt64() > 25, s_timeout);
        Assert.Equal("srt", stream.GetProperty("publisher").GetProperty("protocol").GetString());
    }

    [Theory]
    [InlineData("a-wrong-passphrase", SrtRejectReason.BadSecret)]
    [InlineData(null, SrtRejectReason.Unsecure)]
    public async Task Caller_WithWrongOrNoPassphrase_IsRefused(string? passphrase, int expected)
    {
        using var caller = SrtSocket.Create();
        caller.SetStreamId("publish:live/intruder");
        caller.SetConnectTimeout(5000);
        if (passphrase is not null)
        {
            caller.SetPassphrase(passphrase, 32);
        }

        var mark = Server.Process.Mark();
        await Assert.ThrowsAsync<SrtException>(() => Task.Run(() => caller.Connect(new IPEndPoint(IPAddress.Loopback, Server.SrtPort))));

        Assert.Equal(expected, caller.RejectReason);
        await Server.Process.WaitForOutputAsync($"(streamid 'publish:live/intruder') refused: ", s_timeout, mark);
        Assert.Null(await Server.FindStreamAsync("live/intruder"));
    }

    [Fact]
    public async Task Publish_WithWrongPassphrase_FfmpegFailsAndNothingIsPublished()
    {
        await using var publisher = Ffmpeg.Publish(Server.SrtUrl("publish:live/intruder-ffmpeg&passphrase=not-the-passphrase"), seconds: 5, format: "mpegts");

        Assert.NotEqual(0, await publisher.WaitForExitAsync(s_timeout));
        Assert.Contains("srt://", publisher.AllOutput, StringComparison.Ordinal);
        Assert.Null(await Server.FindStreamAsync("live/intruder-ffmpeg"));
    }
}
