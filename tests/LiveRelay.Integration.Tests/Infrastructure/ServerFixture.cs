namespace LiveRelay.Integration.Tests.Infrastructure;

/// <summary>One server shared by every test in the collection.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    private ServerProcess? _server;

    public ServerProcess Server => _server ?? throw new InvalidOperationException("The server is not running.");

    public async Task InitializeAsync() =>
        _server = await ServerProcess.StartAsync(
            "--LiveRelay:Publish:ReconnectGraceSeconds=8",
            "--LiveRelay:Hls:SegmentSeconds=1",
            "--LiveRelay:Rtmp:HandshakeTimeoutSeconds=3",
            "--LiveRelay:Metrics:MaxStreamLabels=2",
            $"--LiveRelay:Auth:AdminToken={ServerProcess.TestAdminToken}",

            // Every test client is 127.0.0.1, and the storm test opens a thousand connections from it.
            "--LiveRelay:Limits:MaxConnectionsPerAddress=20000",
            //  Unknown keys must not stop the server.
            "--LiveRelay:NotYetInvented:Setting=1");

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "server";
}
