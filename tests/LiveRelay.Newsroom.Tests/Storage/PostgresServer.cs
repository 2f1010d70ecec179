using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using LiveRelay.Newsroom.Tests.TestSupport;
using Npgsql;

namespace LiveRelay.Newsroom.Tests.Storage;

/// <summary>The test run's one PostgreSQL server, shared by every class in the collection.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL server";
}

/// <summary>
/// A throwaway PostgreSQL 15 cluster (Debian's binaries): a temp data directory, a free loopback port,
/// its socket inside the temp directory, trust authentication for <c>liverelay</c>. Started once per test
/// run, stopped and deleted afterwards. initdb and postgres refuse to run as root, so as root the
/// directory is handed to the <c>postgres</c> OS user and the binaries run through runuser.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private const string BinDirectory = "/usr/lib/postgresql/15/bin";
    private const string User = "liverelay";
    private const string Database = "newsroom_tests";
    private static readonly TimeSpan s_startDeadline = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _directory = new();
    private readonly bool _asPostgresUser = Environment.IsPrivilegedProcess;
    private bool _started;
    private int _port;

    /// <summary>Connection string of the test database.</summary>
    public string ConnectionString { get; private set; } = "";

    private string DataDirectory => _directory.File("data");

    private string LogFile => _directory.File("postgres.log");

    public async Task InitializeAsync()
    {
        var initdb = Path.Combine(BinDirectory, "initdb");
        if (!File.Exists(initdb) || !File.Exists(Path.Combine(BinDirectory, "pg_ctl")))
        {
            throw new InvalidOperationException(
                $"PostgreSQL 15 is not installed ({initdb} is missing); the store tests need a real server: apt-get install postgresql (scripts/setup.sh installs it).");
        }

        if (_asPostgresUser)
        {
            // Running as root: the cluster belongs to the postgres OS user, which the package creates.
            await RunAsync("chown", ["postgres:postgres", _directory.Path], asPostgres: false).ConfigureAwait(false);
        }

        await RunAsync(initdb, ["-D", DataDirectory, "-A", "trust", "-U", User, "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"], asPostgres: _asPostgresUser).ConfigureAwait(false);

        _port = FreeTcpPort();
        await StartAsync().ConfigureAwait(false);
        await using (var connection = await ConnectWhenReadyAsync(AdminConnectionString).ConfigureAwait(false))
        {
            await using var command = new NpgsqlCommand($"CREATE DATABASE {Database}", connection);
            await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        ConnectionString = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = Database, Pooling = true }.ConnectionString;
    }

    /// <summary>A fresh schema for one test; the returned connection string puts it first on the search path.</summary>
    public async Task<string> CreateSchemaAsync()
    {
        var schema = "t_" + Guid.NewGuid().ToString("N");
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"CREATE SCHEMA {schema}", connection);
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        return new NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = schema }.ConnectionString;
    }

    private string AdminConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = _port,
        Username = User,
        Database = "postgres",
        Pooling = false,
        Timeout = 5,
    }.ConnectionString;

    /// <summary>Starts the cluster (again) on its port; returns once it accepts connections.</summary>
    public async Task StartAsync()
    {
        var serverOptions = $"-c listen_addresses=127.0.0.1 -p {_port} -k {_directory.Path} -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
        await RunAsync(Path.Combine(BinDirectory, "pg_ctl"), ["-D", DataDirectory, "-l", LogFile, "-W", "-o", serverOptions, "start"], asPostgres: _asPostgresUser).ConfigureAwait(false);
        _started = true;
        await using var ready = await ConnectWhenReadyAsync(AdminConnectionString).ConfigureAwait(false);
    }

    /// <summary>Stops the cluster (fast: open sessions are ended), as a restart or a crash of the database would.</summary>
    public async Task StopAsync()
    {
        await RunAsync(Path.Combine(BinDirectory, "pg_ctl"), ["-D", DataDirectory, "-m", "fast", "-w", "stop"], asPostgres: _asPostgresUser).ConfigureAwait(false);
        _started = false;
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            if (_started)
            {
                await RunAsync(Path.Combine(BinDirectory, "pg_ctl"), ["-D", DataDirectory, "-m", "fast", "-w", "stop"], asPostgres: _asPostgresUser).ConfigureAwait(false);
            }
        }
        finally
        {
            _directory.Dispose();
        }
    }

    private async Task<NpgsqlConnection> ConnectWhenReadyAsync(string connectionString)
    {
        var deadline = DateTime.UtcNow + s_startDeadline;
        while (true)
        {
            var connection = new NpgsqlConnection(connectionString);
            try
            {
                await connection.OpenAsync().ConfigureAwait(false);
                return connection;
            }
            catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                if (DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException(
                        $"PostgreSQL did not accept connections within {s_startDeadline.TotalSeconds} s ({ex.Message}). Its log:\n{ReadLog()}", ex);
                }
            }

            // Poll again shortly: readiness is the connection succeeding, bounded by the deadline above.
            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    private string ReadLog()
    {
        try
        {
            return File.ReadAllText(LogFile);
        }
        catch (IOException ex)
        {
            return $"(no log: {ex.Message})";
        }
    }

    private async Task RunAsync(string file, IReadOnlyList<string> arguments, bool asPostgres)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _directory.Path,
        };
        if (asPostgres)
        {
            foreach (var argument in (string[])["-u", "postgres", "--", file])
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} could not be started.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(s_startDeadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{Path.GetFileName(file)} did not finish within {s_startDeadline.TotalSeconds} s.");
        }

        var output = await stdout.ConfigureAwait(false) + await stderr.ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Path.GetFileName(file)} {string.Join(' ', arguments)} failed (exit {process.ExitCode}{(asPostgres ? ", run as the postgres user" : "")}): {output}\n{ReadLog()}");
        }
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
