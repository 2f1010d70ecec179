using System.Net;
using System.Net.Sockets;
using System.Text;
using LiveRelay.Integration.Tests.Infrastructure;
using LiveRelay.Testing;

namespace LiveRelay.Integration.Tests.Hostile;

/// <summary>
/// Hostile clients against the running server (security issue): a storm of RTMP connections that
/// open and send nothing is freed by the handshake timeout while a real publisher still gets in, and
/// an oversized HTTP request is refused without harm.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ConnectionStormTests(ServerFixture fixture)
{
    private const int Storm = 1000;
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(60);
    private readonly ServerProcess _server = fixture.Server;

    [Fact]
    public async Task ThousandSilentConnections_FreedByTheHandshakeTimeout_AndAPublisherGetsInDuringTheStorm()
    {
        var silent = new List<TcpClient>(Storm);
        try
        {
            for (var i = 0; i < Storm; i++)
            {
                var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, _server.RtmpPort);
                silent.Add(client);
            }

            // During the storm a real encoder publishes and is read back.
            var path = $"live/storm-{Guid.NewGuid():N}"[..24];
            await using var publisher = Ffmpeg.Publish(_server.RtmpUrl(path), seconds: 30);
            var stream = await _server.WaitForStreamAsync(path, s => s.GetProperty("framesIn").GetInt64() > 50, s_wait);
            Assert.Equal("rtmp", stream.GetProperty("publisher").GetProperty("protocol").GetString());

            // Every silent connection is closed by the server (3 s handshake timeout in this fixture).
            using var deadline = new CancellationTokenSource(s_wait);
            var closed = await Task.WhenAll(silent.Select(c => ReadsToEndAsync(c, deadline.Token)));
            Assert.All(closed, Assert.True);
            Assert.Equal(0, await HandshakingConnectionsAsync());
            Assert.Equal(HttpStatusCode.OK, (await _server.Http.GetAsync("/healthz")).StatusCode);
        }
        finally
        {
            foreach (var client in silent)
            {
                client.Dispose();
            }
        }
    }

    [Fact]
    public async Task OversizedHttpRequest_IsRefused_AndTheServerCarriesOn()
    {
        using var headers = new HttpRequestMessage(HttpMethod.Get, "/api/streams");
        headers.Headers.Add("X-Filler", new string('a', 64 * 1024));
        var tooManyHeaders = await _server.Http.SendAsync(headers);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, tooManyHeaders.StatusCode);

        using var body = new ByteArrayContent(new byte[65 * 1024]);
        body.Headers.ContentType = new("application/sdp");
        var offer = await _server.Http.PostAsync("/whip/live/huge", body);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, offer.StatusCode);

        using var json = new StringContent("{\"path\":\"" + new string('x', 40 * 1024 * 1024) + "\"}", Encoding.UTF8, "application/json");
        using var admin = new HttpRequestMessage(HttpMethod.Post, "/api/pulls") { Content = json };
        admin.Headers.Authorization = new("Bearer", ServerProcess.TestAdminToken);

        // With Expect: 100-continue the refusal comes before the 40 MB are sent (else Kestrel answers
        // 413 and closes while the client is still writing, which the client sees as a broken pipe).
        admin.Headers.ExpectContinue = true;
        var huge = await _server.Http.SendAsync(admin);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await _server.Http.GetAsync("/healthz")).StatusCode);
    }

    private async Task<double> HandshakingConnectionsAsync()
    {
        var text = await _server.Http.GetStringAsync("/metrics");
        var families = PrometheusTextParser.Parse(text);
        return families.TryGetValue("liverelay_connections", out var family)
            ? family.Samples.Where(s => s.Label("protocol") == "rtmp" && s.Label("state") == "handshake").Sum(s => s.Value)
            : 0;
    }

    private static async Task<bool> ReadsToEndAsync(TcpClient client, CancellationToken cancellationToken)
    {
        var buffer = new byte[256];
        try
        {
            while (await client.GetStream().ReadAsync(buffer, cancellationToken) > 0)
            {
            }

            return true;
        }
        catch (IOException)
        {
            return true; // reset by the server: closed too
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
