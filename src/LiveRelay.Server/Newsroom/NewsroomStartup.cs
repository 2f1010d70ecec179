using System.Data.Common;
using System.Security.Cryptography;
using LiveRelay.Newsroom.Access;
using LiveRelay.Newsroom.Rundowns;
using LiveRelay.Newsroom.Storage;
using LiveRelay.Server.Configuration;

namespace LiveRelay.Server.Newsroom;

/// <summary>
/// Opens and migrates the database, settles the secrets (generating and storing what configuration
/// leaves empty; a generated admin token is logged once, at the start that made it) and loads the
/// shares, before the listeners start. A database that cannot be opened stops the server with a clear message.
/// </summary>
internal sealed partial class NewsroomStartup(
    INewsroomStore store,
    NewsroomSecrets secrets,
    AuthOptions auth,
    IServiceProvider services,
    ILogger<NewsroomStartup> logger) : IHostedService
{
    private const string AdminTokenKey = "admin_token";
    private const string TokenSecretKey = "token_secret";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
            var adminToken = auth.AdminToken;
            if (adminToken.Length == 0)
            {
                var generated = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
                adminToken = await store.GetOrAddSettingAsync(AdminTokenKey, generated, cancellationToken).ConfigureAwait(false);
                if (adminToken == generated)
                {
                    Log.AdminTokenGenerated(logger, adminToken);
                }
            }

            var secret = auth.TokenSecret.Length > 0
                ? auth.TokenSecret
                : await store.GetOrAddSettingAsync(TokenSecretKey, PlayTokens.NewSecret(), cancellationToken).ConfigureAwait(false);
            secrets.Set(adminToken, PlayTokens.KeyFrom(secret));
            await services.GetRequiredService<NewsroomService>().StartAsync(cancellationToken).ConfigureAwait(false);
            Log.Ready(logger, store is PostgresNewsroomStore ? "PostgreSQL" : $"SQLite {(store as SqliteNewsroomStore)?.Path}");
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException or TimeoutException or System.Net.Sockets.SocketException)
        {
            throw new IOException($"the database cannot be opened (LiveRelay:Database): {ex.Message}", ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(2350, LogLevel.Warning, "Generated the admin API token (stored in the database; shown this once): {AdminToken}")]
        public static partial void AdminTokenGenerated(ILogger logger, string adminToken);

        [LoggerMessage(2351, LogLevel.Information, "Newsroom store ready: {Store}")]
        public static partial void Ready(ILogger logger, string store);
    }
}
