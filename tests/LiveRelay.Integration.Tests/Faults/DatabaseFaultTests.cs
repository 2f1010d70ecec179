using System.Net;
using LiveRelay.Integration.Tests.Infrastructure;
using LiveRelay.Newsroom.Tests.Storage;

namespace LiveRelay.Integration.Tests.Faults;

/// <summary>
/// The database fails under a live hub: the SQLite file locked by another process, and a PostgreSQL
/// server stopped and started again. Streams keep flowing the whole time; API calls that need the
/// database answer 503 with the reason (not 500, not a hang) and work again once it is back.
/// </summary>
public sealed class DatabaseFaultTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task SqliteFileLocked_ApiSays503_StreamsFlow_ThenRecovers()
    {
        await using var server = await ServerProcess.StartAsync($"--LiveRelay:Auth:AdminToken={ServerProcess.TestAdminToken}");
        await using var publisher = Ffmpeg.Publish(server.RtmpUrl("live/db-locked"), seconds: 120);
        await server.WaitForStreamAsync("live/db-locked", s => s.GetProperty("framesIn").GetInt64() > 25, s_timeout);

        // Another process takes SQLite's write lock and holds it (python's sqlite3, as an admin's shell would).
        var database = Path.Combine(server.WorkDir, "data", "liverelay.db");
        await using (var locker = ExternalProcess.Start("python3", ["-c", $"import sqlite3,sys; c=sqlite3.connect({Quote(database)}, isolation_level=None); c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); sys.stdin.read()"]))
        {
            await locker.WaitForOutputAsync("locked", s_timeout);
            var frames = (await server.FindStreamAsync("live/db-locked"))!.Value.GetProperty("framesIn").GetInt64();

            var (status, body) = await server.AdminAsync(HttpMethod.Post, "/api/stations", new { name = "Locked out", code = "locked-out" });

            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.Contains("the database is unavailable", body.GetProperty("error").GetString(), StringComparison.Ordinal);
            await server.WaitForStreamAsync("live/db-locked", s => s.GetProperty("framesIn").GetInt64() > frames + 50, s_timeout);
        }

        var (after, _) = await server.AdminAsync(HttpMethod.Post, "/api/stations", new { name = "Back in", code = "back-in" });
        Assert.Equal(HttpStatusCode.Created, after);
    }

    [Fact]
    public async Task PostgresRestarted_ApiSays503WhileDown_StreamsFlow_ThenRecovers()
    {
        await using var postgres = new PostgresServer();
        await postgres.InitializeAsync();
        await using var server = await ServerProcess.StartAsync(
            $"--LiveRelay:Auth:AdminToken={ServerProcess.TestAdminToken}",
            $"--LiveRelay:Database:ConnectionString={await postgres.CreateSchemaAsync()}");
        await using var publisher = Ffmpeg.Publish(server.RtmpUrl("live/db-restart"), seconds: 120);
        await server.WaitForStreamAsync("live/db-restart", s => s.GetProperty("framesIn").GetInt64() > 25, s_timeout);
        var (before, _) = await server.AdminAsync(HttpMethod.Post, "/api/stations", new { name = "Before", code = "before" });
        Assert.Equal(HttpStatusCode.Created, before);

        await postgres.StopAsync();
        var frames = (await server.FindStreamAsync("live/db-restart"))!.Value.GetProperty("framesIn").GetInt64();
        var (down, body) = await server.AdminAsync(HttpMethod.Get, "/api/stations");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down);
        Assert.Contains("the database is unavailable", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        await server.WaitForStreamAsync("live/db-restart", s => s.GetProperty("framesIn").GetInt64() > frames + 50, s_timeout);

        await postgres.StartAsync();
        var (back, stations) = await server.AdminAsync(HttpMethod.Get, "/api/stations");
        Assert.Equal(HttpStatusCode.OK, back);
        Assert.Contains(stations.EnumerateArray(), s => s.GetProperty("code").GetString() == "before");
    }

    private static string Quote(string text) => "'" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";
}
