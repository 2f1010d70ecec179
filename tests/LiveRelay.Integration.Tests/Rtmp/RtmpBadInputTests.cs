using System.Net;
using System.Net.Sockets;
using LiveRelay.Integration.Tests.Infrastructure;

namespace LiveRelay.Integration.Tests.Rtmp;

/// <summary>
/// Hostile and broken RTMP peers: each gets its connection closed and a log line naming why,
/// while a real publisher on the same server carries on.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class RtmpBadInputTests(ServerFixture fixture)
{
    private readonly ServerProcess _server = fixture.Server;

    public static TheoryData<string, string, string> Cases => new()
    {
        // name, hex sent after a good handshake (or instead of it), reason expected in the log
        { "chunk size 0", "02 000000 000004 01 00000000 00000000", "ChunkSizeInvalid" },
        { "chunk size 0x7FFFFFFF", "02 000000 000004 01 00000000 7FFFFFFF", "ChunkSizeInvalid" },
        { "unknown chunk stream", "47 000000 000004 14 AABBCCDD", "UnknownChunkStream" },
        { "message over the limit", "06 000000 FFFFFF 09 01000000", "MessageTooLarge" },
        { "lying AMF string length", "03 000000 00000A 14 00000000 02 FFFF 636F6E6E656374 00", "MalformedCommand" },
        { "chunk stream flood", string.Concat(Enumerable.Range(0, 70).Select(i => $"01 {i:X2}00 000000 000000 09 01000000 ")), "TooManyChunkStreams" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task BadBytesAfterHandshake_ConnectionClosedLoggedAndOthersUnaffected(string name, string hex, string reason)
    {
        var path = $"live/victim-{reason.ToLowerInvariant()}";
        await using var publisher = Ffmpeg.Publish(_server.RtmpUrl(path), seconds: 12);
        await _server.Process.WaitForOutputAsync($"Publishing {path}", TimeSpan.FromSeconds(60));
        var mark = _server.Process.Mark();

        using var client = await ConnectAndHandshakeAsync();
        await client.GetStream().WriteAsync(Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal)));

        Assert.True(await ReadsToEndAsync(client), $"{name}: the server must close the connection");
        await _server.Process.WaitForOutputAsync(reason, TimeSpan.FromSeconds(30), mark);
        Assert.Equal(HttpStatusCode.OK, (await _server.Http.GetAsync("/healthz")).StatusCode);

        // The other stream still flows: two seconds of it are read after the attack, more than its one-second GOP cache.
        using var files = new TempFiles();
        await using var player = Ffmpeg.Record(_server.HttpUrl($"{path}.flv"), files.File("after.flv"), seconds: 2);
        Assert.Equal(0, await player.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.True((await Ffmpeg.PacketsAsync(files.File("after.flv"), "v")).Count >= 40);
        Assert.False(publisher.HasExited, ExternalProcess.Tail(publisher.AllOutput));
    }

    [Fact]
    public async Task Handshake_UnsupportedVersion_ConnectionClosedAndLogged()
    {
        var mark = _server.Process.Mark();
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", _server.RtmpPort);
        var c0c1 = new byte[1537];
        c0c1[0] = 6; // RTMPE
        await client.GetStream().WriteAsync(c0c1);

        Assert.True(await ReadsToEndAsync(client));
        await _server.Process.WaitForOutputAsync("HandshakeVersion", TimeSpan.FromSeconds(30), mark);
    }

    [Fact]
    public async Task Handshake_GarbageThenSilence_ClosedByHandshakeTimeout()
    {
        var mark = _server.Process.Mark();
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", _server.RtmpPort);
        await client.GetStream().WriteAsync("GET / HTTP/1.1\r\n\r\n"u8.ToArray());

        // Only 18 of the 1537 handshake bytes came: the handshake timeout ends it.
        Assert.True(await ReadsToEndAsync(client, TimeSpan.FromSeconds(40)));
        await _server.Process.WaitForOutputAsync("HandshakeTimeout", TimeSpan.FromSeconds(10), mark);
    }

    private async Task<TcpClient> ConnectAndHandshakeAsync()
    {
        var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", _server.RtmpPort);
        var stream = client.GetStream();
        var c0c1 = new byte[1537];
        c0c1[0] = 3;
        await stream.WriteAsync(c0c1);
        var s0s1s2 = new byte[3073];
        await stream.ReadExactlyAsync(s0s1s2);
        Assert.Equal(3, s0s1s2[0]);
        await stream.WriteAsync(s0s1s2.AsMemory(1, 1536));
        return client;
    }

    private static async Task<bool> ReadsToEndAsync(TcpClient client, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        var buffer = new byte[4096];
        try
        {
            while (await client.GetStream().ReadAsync(buffer, cts.Token) > 0)
            {
            }

            return true;
        }
        catch (IOException)
        {
            return true; // reset by the server
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

}
