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
    LiveRelayOptions options,
    IServiceProvider services,
    ILogger<NewsroomStartup> logger) : IHostedService
{
    private const string AdminTokenKey = "admin_token";
    private const string TokenSecretKey = "token_secret";
    private const string FirstStartKey = "first_start";

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
            var newsroom = services.GetRequiredService<NewsroomService>();
            await newsroom.StartAsync(cancellationToken).ConfigureAwait(false);
            await WelcomeAsync(newsroom, cancellationToken).ConfigureAwait(false);
            Log.Ready(logger, store is PostgresNewsroomStore ? "PostgreSQL" : $"SQLite {(store as SqliteNewsroomStore)?.Path}");
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException or TimeoutException or System.Net.Sockets.SocketException)
        {
            throw new IOException($"the database cannot be opened (LiveRelay:Database): {ex.Message}", ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// On a fresh install (no feeds yet, never welcomed): a default station and feed, and its publish
    /// URLs with the key in the log, once, so a newcomer can go live from OBS in a minute.
    /// </summary>
    private async Task WelcomeAsync(NewsroomService newsroom, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (await store.GetOrAddSettingAsync(FirstStartKey, now, cancellationToken).ConfigureAwait(false) != now
            || (await store.ListFeedsAsync(cancellationToken).ConfigureAwait(false)).Count > 0)
        {
            return;
        }

        var stations = await store.ListStationsAsync(cancellationToken).ConfigureAwait(false);
        var station = stations.FirstOrDefault()
            ?? (await newsroom.AddStationAsync(new NewStation("Default station", "default")).ConfigureAwait(false)).Value;
        var feed = (await newsroom.AddFeedAsync(new NewFeed("Main camera", "live/main", station?.Id, null, null)).ConfigureAwait(false)).Value!;
        var host = PublicHost();
        var rtmp = options.PublicUrls.Rtmp.Length > 0 ? options.PublicUrls.Rtmp.TrimEnd('/') : $"rtmp://{host}:{options.Rtmp.Port}";
        var srt = options.PublicUrls.Srt.Length > 0 ? options.PublicUrls.Srt.TrimEnd('/') : $"srt://{host}:{options.Srt.Port}";
        Log.Welcome(logger, feed.Name, feed.Path, $"{rtmp}/live", $"main?key={feed.PublishKey}", $"{rtmp}/live/main?key={feed.PublishKey}", $"{srt}?streamid=#!::r=live/main,m=publish,key={feed.PublishKey}", feed.PublishKey!);
    }

    /// <summary>The address publishers most likely reach: the RTMP bind address, else this machine's first LAN address.</summary>
    private string PublicHost()
    {
        if (options.Rtmp.Address.Length > 0 && System.Net.IPAddress.TryParse(options.Rtmp.Address, out var bound) && !bound.Equals(System.Net.IPAddress.Any))
        {
            return options.Rtmp.Address;
        }

        var lan = System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == System.Net.NetworkInformation.OperationalStatus.Up)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(u => u.Address)
            .FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !System.Net.IPAddress.IsLoopback(a));
        return lan?.ToString() ?? "127.0.0.1";
    }

    private static partial class Log
    {
        [LoggerMessage(2350, LogLevel.Warning, "Generated the admin API token (stored in the database; shown this once): {AdminToken}")]
        public static partial void AdminTokenGenerated(ILogger logger, string adminToken);

        [LoggerMessage(2352, LogLevel.Warning, "First start: made the feed \"{FeedName}\" at {StreamPath} (shown this once; the key is also in GET /api/feeds). Publish from OBS: Server {ObsServer} and Stream Key {ObsKey}; from ffmpeg or Larix: {RtmpUrl}; over SRT: {SrtUrl}; over WHIP: POST /whip/live/main with Authorization: Bearer {PublishKey}")]
        public static partial void Welcome(ILogger logger, string feedName, string streamPath, string obsServer, string obsKey, string rtmpUrl, string srtUrl, string publishKey);

        [LoggerMessage(2351, LogLevel.Information, "Newsroom store ready: {Store}")]
        public static partial void Ready(ILogger logger, string store);
    }
}
