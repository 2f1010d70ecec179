using System.Net;
using System.Reflection;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Serialization;
using LiveRelay.Core.Access;
using LiveRelay.Core.Diagnostics;
using LiveRelay.Core.Streams;
using LiveRelay.Newsroom.Access;
using LiveRelay.Newsroom.Rundowns;
using LiveRelay.Newsroom.Storage;
using LiveRelay.Newsroom.Switching;
using LiveRelay.Protocols.Http;
using LiveRelay.Protocols.Http.Hls;
using LiveRelay.Protocols.Rtmp;
using LiveRelay.Protocols.Rtmp.Session;
using LiveRelay.Protocols.Srt;
using LiveRelay.Server.Api;
using LiveRelay.Server.Configuration;
using LiveRelay.Server.Control;
using LiveRelay.Server.Control.Monitoring;
using LiveRelay.Server.Metrics;
using LiveRelay.Server.Newsroom;
using LiveRelay.Server.Pulling;
using LiveRelay.Server.Relaying;
using LiveRelay.Server.Security;
using LiveRelay.Server.WebRtc;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Serilog;
using Serilog.Extensions.Logging;

namespace LiveRelay.Server.Hosting;

/// <summary>
/// The composition root: configuration (built-in defaults, then <c>configs/liverelay.json</c> or
/// <c>--config FILE</c>, then <c>LIVERELAY__…</c> variables, then <c>--LiveRelay:…</c> arguments),
/// Serilog, Kestrel listeners for HTTP and RTMP, and the endpoints.
/// </summary>
public static class LiveRelayServer
{
    /// <summary>The configuration file used when none is named.</summary>
    public const string DefaultConfigFile = "configs/liverelay.json";

    /// <summary>HTTP addresses used when neither configuration nor <c>--urls</c> names any.</summary>
    public const string DefaultUrls = "http://0.0.0.0:8080";

    public static async Task<int> RunAsync(string[] args)
    {
        WebApplication app;
        try
        {
            app = Build(args);
        }
        catch (InvalidOperationException ex) when (ex.Data.Contains(ConfigErrorKey))
        {
            // Logging is not up yet: stderr is the only place an operator will look.
            await Console.Error.WriteLineAsync($"LiveRelay cannot start: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        try
        {
            await app.RunAsync().ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            // A listener could not bind (port in use, address not local): the host logged the details.
            await Console.Error.WriteLineAsync($"LiveRelay cannot start: {ex.Message}").ConfigureAwait(false);
            return 1;
        }

        return 0;
    }

    private const string ConfigErrorKey = "LiveRelay.ConfigError";

    public static WebApplication Build(string[] args)
    {
        // Args are not handed to the builder: ConfigureSources adds them with the other sources, in order.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions());
        var configFile = ConfigureSources(builder.Configuration, args);

        var section = builder.Configuration.GetSection(LiveRelayOptions.SectionName);
        var options = (section.Get<LiveRelayOptions>() ?? new LiveRelayOptions()) with
        {
            // Lists of positional records are read by hand: the binder leaves them empty.
            Pulls = [.. section.GetSection("Pulls").GetChildren().Select(c => new PullRequest(c["Path"], c["Url"], c["Transport"], bool.TryParse(c["OnDemand"], out var onDemand) ? onDemand : null, int.TryParse(c["IdleSeconds"], out var idle) ? idle : null))],
            Relays = [.. section.GetSection("Relays").GetChildren().Select(c => new RelayRequest(c["Source"], c["Url"]))],
        };
        var errors = options.Validate().ToList();
        var urls = builder.Configuration["urls"] ?? DefaultUrls;
        if (!ListenAddress.TryParseList(urls, out var httpAddresses, out var urlError))
        {
            errors.Add($"--urls: {urlError}");
        }

        if (httpAddresses.Any(a => a.Https) && !options.Tls.Configured)
        {
            errors.Add("--urls: an https:// address needs a certificate: set LiveRelay:Tls:Certificate (and Key)");
        }

        X509Certificate2? certificate = null;
        if (errors.Count == 0 && options.Tls.Configured)
        {
            try
            {
                certificate = options.Tls.Load();
            }
            catch (InvalidOperationException ex)
            {
                errors.Add(ex.Message);
            }
        }

        if (errors.Count > 0)
        {
            throw ConfigError("invalid configuration:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", errors));
        }

        var dataDir = Path.GetFullPath(options.DataDir);
        Directory.CreateDirectory(dataDir);

        // The listeners are bound below from these addresses; leaving "urls" set would make Kestrel
        // warn that it overrides them.
        builder.WebHost.UseSetting(WebHostDefaults.ServerUrlsKey, string.Empty);
        ConfigureLogging(builder);
        ConfigureKestrel(builder, options, httpAddresses, certificate);
        ConfigureServices(builder.Services, options);

        var app = builder.Build();
        MapEndpoints(app);

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("LiveRelay.Server");
        ServerLog.ConfigFile(logger, configFile.Path, configFile.Exists ? "loaded" : "not found; built-in defaults in use");
        var lifetime = app.Lifetime;
        lifetime.ApplicationStarted.Register(() =>
        {
            app.Services.GetRequiredService<Readiness>().MarkReady();
            var rtmp = options.Rtmp.Port == 0 ? "off" : $"{(options.Rtmp.Address.Length == 0 ? "0.0.0.0" : options.Rtmp.Address)}:{options.Rtmp.Port}";
            var srt = options.Srt.Port == 0 ? "off" : $"{(options.Srt.Address.Length == 0 ? "0.0.0.0" : options.Srt.Address)}:{options.Srt.Port}";
            ServerLog.Started(logger, Version, urls, rtmp, srt, dataDir);
            if (options.Rtmps.Port != 0)
            {
                ServerLog.RtmpsListening(logger, $"{(options.Rtmps.Address.Length == 0 ? "0.0.0.0" : options.Rtmps.Address)}:{options.Rtmps.Port}", certificate!.Subject, certificate.NotAfter);
            }
            if (options.Auth.AllowAnonymousPublish)
            {
                ServerLog.AnonymousPublish(logger);
            }

            if (options.Auth.AllowAnonymousPlay && !options.Auth.RequirePlayToken)
            {
                ServerLog.AnonymousPlay(logger, options.Auth.TokenPlay.Count == 0 ? "none" : string.Join(", ", options.Auth.TokenPlay));
            }
        });
        lifetime.ApplicationStopping.Register(() => Drain(app.Services, options.Publish.ShutdownDrainSeconds, logger));
        return app;
    }

    /// <summary>
    /// A graceful stop (SIGTERM, Ctrl+C), before the listeners close: no new publisher is let in, every
    /// publisher is told and closed cleanly, every stream ends (HLS playlists get EXT-X-ENDLIST and stay
    /// served), then HTTP keeps answering for the drain time so HLS players read that last playlist. The
    /// store is flushed when the services are disposed (the pull log drains its queue).
    /// </summary>
    private static void Drain(IServiceProvider services, double drainSeconds, Microsoft.Extensions.Logging.ILogger logger)
    {
        var hub = services.GetRequiredService<StreamHub>();
        var streams = hub.Streams.Count;
        var closed = hub.BeginShutdown("the server is shutting down");
        ServerLog.Stopping(logger, streams);
        hub.EndAll();
        if (streams > 0 && drainSeconds > 0)
        {
            ServerLog.Draining(logger, closed, drainSeconds);
            Thread.Sleep(TimeSpan.FromSeconds(drainSeconds));
        }
    }

    /// <summary>The server's version, from the assembly.</summary>
    public static string Version { get; } =
        typeof(LiveRelayServer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    private static (string Path, bool Exists) ConfigureSources(ConfigurationManager configuration, string[] args)
    {
        // --config FILE (or LIVERELAY_CONFIG) names the file; otherwise configs/liverelay.json if present.
        var named = FindArgument(args, "--config") ?? Environment.GetEnvironmentVariable("LIVERELAY_CONFIG");
        var path = Path.GetFullPath(named ?? DefaultConfigFile);
        var exists = File.Exists(path);
        if (named is not null && !exists)
        {
            throw ConfigError($"the configuration file {path} does not exist");
        }

        configuration.Sources.Clear();
        configuration.AddJsonFile(path, optional: true, reloadOnChange: false);
        configuration.AddEnvironmentVariables("ASPNETCORE_");
        configuration.AddEnvironmentVariables();
        configuration.AddCommandLine(args.Where((a, i) => a != "--config" && (i == 0 || args[i - 1] != "--config")).ToArray());
        return (path, exists);
    }

    private static string? FindArgument(string[] args, string name)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == name && i + 1 < args.Length)
            {
                return args[i + 1];
            }

            if (args[i].StartsWith(name + "=", StringComparison.Ordinal))
            {
                return args[i][(name.Length + 1)..];
            }
        }

        return null;
    }

    private static void ConfigureLogging(WebApplicationBuilder builder)
    {
        var serilog = new LoggerConfiguration()
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft", Serilog.Events.LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", Serilog.Events.LogEventLevel.Information)

            // Sign-in keys live unencrypted in {DataDir}/keys on purpose (as the database does); its warning about that is noise.
            .MinimumLevel.Override("Microsoft.AspNetCore.DataProtection", Serilog.Events.LogEventLevel.Error)
            .Enrich.FromLogContext()
            .ReadFrom.Configuration(builder.Configuration);
        if (!builder.Configuration.GetSection("Serilog:WriteTo").Exists())
        {
            serilog.WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {SourceContext}: {Message:lj} {Properties:j}{NewLine}{Exception}");
        }

        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new SerilogLoggerProvider(serilog.CreateLogger(), dispose: true));
    }

    private static void ConfigureKestrel(WebApplicationBuilder builder, LiveRelayOptions options, List<ListenAddress> httpAddresses, X509Certificate2? certificate)
    {
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.Limits.MaxHttpRequestBodyBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = options.Limits.MaxHttpRequestHeaderBytes;
            var limiter = kestrel.ApplicationServices.GetRequiredService<ConnectionLimiter>();
            foreach (var http in httpAddresses)
            {
                Action<ListenOptions> configure = listen =>
                {
                    listen.Use(limiter.For(http.Https ? "https" : "http"));
                    if (http.Https)
                    {
                        listen.UseHttps(certificate!);
                    }
                };
                if (http.Address is null)
                {
                    kestrel.ListenLocalhost(http.Port, configure);
                }
                else
                {
                    kestrel.Listen(http.Address, http.Port, configure);
                }
            }

            if (options.Rtmp.Port != 0)
            {
                var address = options.Rtmp.Address.Length == 0 ? IPAddress.Any : IPAddress.Parse(options.Rtmp.Address);
                kestrel.Listen(address, options.Rtmp.Port, listen => listen.Use(limiter.For("rtmp")).UseConnectionHandler<RtmpConnectionHandler>());
            }

            if (options.Rtmps.Port != 0)
            {
                // RTMPS: the same RTMP session behind Kestrel's TLS; the handshake timeout covers the TLS handshake too.
                var address = options.Rtmps.Address.Length == 0 ? IPAddress.Any : IPAddress.Parse(options.Rtmps.Address);
                kestrel.Listen(address, options.Rtmps.Port, listen =>
                {
                    listen.Use(limiter.For("rtmps"));
                    listen.UseHttps(https =>
                    {
                        https.ServerCertificate = certificate;
                        https.HandshakeTimeout = TimeSpan.FromSeconds(options.Rtmp.HandshakeTimeoutSeconds);
                    });
                    listen.UseConnectionHandler<RtmpConnectionHandler>();
                });
            }
        });
    }

    private static void ConfigureServices(IServiceCollection services, LiveRelayOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton(options.Rtmp);
        services.AddSingleton(options.Hls);
        services.AddSingleton(options.Metrics);
        services.AddMetrics();
        services.AddSingleton<LiveRelayMetrics>();
        services.AddSingleton<StreamMetrics>();
        services.AddSingleton(_ => new PrometheusExporter(LiveRelayMetrics.MeterName, "System.Runtime"));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<Readiness>();
        services.AddSingleton(options.Limits);
        services.AddSingleton<ConnectionLimiter>();
        services.AddSingleton(new StreamOptions
        {
            ReconnectGrace = TimeSpan.FromSeconds(options.Publish.ReconnectGraceSeconds),
            MaxPublishers = options.Limits.MaxPublishers,
            MaxPlayersPerStream = options.Limits.MaxPlayersPerStream,
            MaxPublishBitrate = (long)(options.Limits.MaxPublishBitrateMbps * 1_000_000),
            PublisherIdleTimeout = TimeSpan.FromSeconds(options.Limits.PublisherIdleSeconds),
            Readers = new ReaderOptions
            {
                MaxQueuedDuration = TimeSpan.FromSeconds(options.Readers.MaxQueuedSeconds),
                MaxSkips = options.Readers.MaxSkips,
                MinBatchDuration = TimeSpan.FromMilliseconds(options.Readers.MergeWriteMilliseconds),
            },
        });
        services.AddSingleton<StreamHub>();
        services.AddSingleton<HlsService>();
        AddNewsroom(services, options);
        AddControl(services, options);
        services.AddSingleton<RelayManager>();
        services.AddSingleton<PullManager>();
        services.AddHostedService<ConfiguredSources>();
        services.AddSingleton(options.WebRtc with { MaxSessionsPerAddress = options.Limits.MaxConnectionsPerAddress });
        services.AddSingleton<WebRtcService>();
        services.AddHostedService(sp => sp.GetRequiredService<WebRtcService>());
        services.AddSingleton(options.Srt with { MaxConnections = options.Limits.MaxConnections, MaxConnectionsPerAddress = options.Limits.MaxConnectionsPerAddress });
        services.AddSingleton<SrtServer>();
        services.AddHostedService<SrtListenerService>();
        services.AddOpenApi();
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.WriteIndented = false;
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        });

        // Malformed JSON bodies get a 400 that says what was wrong (see UseBadRequestMessages).
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
    }

    /// <summary>
    /// Stations, rundowns, program outputs, shares and the pull log; the store is opened and migrated
    /// (and the secrets settled) by <see cref="NewsroomStartup"/> before the listeners start.
    /// </summary>
    private static void AddNewsroom(IServiceCollection services, LiveRelayOptions options)
    {
        var dataDir = Path.GetFullPath(options.DataDir);
        services.AddSingleton(options.Auth);
        services.AddSingleton(options.Program);
        services.AddSingleton<INewsroomStore>(_ => options.Database.ConnectionString.Length > 0
            ? new PostgresNewsroomStore(options.Database.ConnectionString)
            : new SqliteNewsroomStore(Path.Combine(dataDir, "liverelay.db")));
        services.AddSingleton<NewsroomSecrets>();
        services.AddSingleton(sp => new SlateLibrary(Path.Combine(dataDir, "slates"), options.Program.SlateImage, sp.GetRequiredService<ILogger<SlateLibrary>>()));
        services.AddSingleton<ShareRegistry>();
        services.AddSingleton(sp =>
        {
            var secrets = sp.GetRequiredService<NewsroomSecrets>();
            return new PlayTokens(() => secrets.TokenKey);
        });
        services.AddSingleton<PullLog>();
        services.AddSingleton(sp => new PullAuthorizer(
            sp.GetRequiredService<PlayTokens>(),
            sp.GetRequiredService<ShareRegistry>(),
            sp.GetRequiredService<PullLog>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<PullAuthorizer>>())
        {
            RequireToken = options.Auth.RequirePlayToken,
            RequireTokenFor = PlayPolicy(options.Auth),
        });
        services.AddSingleton(sp => new AuthCallbacks(
            options.Auth.Callbacks,
            new HttpClient(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromMilliseconds(options.Auth.Callbacks.TimeoutMilliseconds) }),
            sp.GetRequiredService<LiveRelayMetrics>(),
            sp.GetRequiredService<ILogger<AuthCallbacks>>()));
        services.AddSingleton<IPlaybackAuthorizer>(sp => new PlayGate(
            sp.GetRequiredService<PullAuthorizer>(),
            sp.GetRequiredService<AuthCallbacks>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<LiveRelayMetrics>()));
        services.AddSingleton<PublishKeys>();
        services.AddSingleton<IPublishAuthorizer>(sp => new PublishGate(
            sp.GetRequiredService<PublishKeys>(),
            options.Auth,
            sp.GetRequiredService<AuthCallbacks>(),
            sp.GetRequiredService<StreamHub>()));
        services.AddSingleton(sp => new NewsroomService(
            sp.GetRequiredService<INewsroomStore>(),
            sp.GetRequiredService<StreamHub>(),
            sp.GetRequiredService<SlateLibrary>(),
            options.Program,
            sp.GetRequiredService<ShareRegistry>(),
            sp.GetRequiredService<PlayTokens>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<LiveRelayMetrics>(),
            sp.GetRequiredService<ILoggerFactory>())
        {
            LinkLifetime = TimeSpan.FromHours(options.Auth.LinkHours),
            Keys = sp.GetRequiredService<PublishKeys>(),
        });
        services.AddHostedService<NewsroomStartup>();
    }

    /// <summary>Whether a path needs a play token: the <c>TokenPlay</c> paths always, others unless anonymous play is on or <c>OpenPlay</c> names them.</summary>
    private static Func<string, bool> PlayPolicy(AuthOptions auth)
    {
        var open = PathPattern.ParseAll(auth.OpenPlay);
        var token = PathPattern.ParseAll(auth.TokenPlay);
        return path => token.Any(p => p.Matches(path)) || (!auth.AllowAnonymousPlay && !open.Any(p => p.Matches(path)));
    }

    /// <summary>Sign-in, the control hub and what feeds it (scoping, alerts, thumbnails and meters).</summary>
    private static void AddControl(IServiceCollection services, LiveRelayOptions options)
    {
        services.AddControlAuthentication(Path.GetFullPath(options.DataDir), options.Auth);
        services.AddSignalR().AddJsonProtocol(json =>
            json.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));
        services.AddSingleton<ControlScope>();
        services.AddSingleton<FeedAlerts>();
        services.AddSingleton<FeedMonitors>();
        services.AddSingleton<ControlPlane>();
        services.AddHostedService(sp => sp.GetRequiredService<ControlPlane>());
    }

    private static void MapEndpoints(WebApplication app)
    {
        // Listen to the meters before anything is measured, and start the HLS segmenter with the
        // host so it sees the first stream.
        var exporter = app.Services.GetRequiredService<PrometheusExporter>();
        app.Services.GetRequiredService<StreamMetrics>();
        app.Services.GetRequiredService<HlsService>();

        app.MapGet("/metrics", () => Results.Text(exporter.Scrape(), PrometheusExporter.ContentType))
            .WithName("Metrics")
            .WithSummary("Prometheus text exposition (0.0.4) of the LiveRelay and System.Runtime meters.");

        app.MapGet("/healthz", (Readiness readiness) => readiness.IsReady
                ? Results.Ok(new { status = "ok", version = Version })
                : Results.Json(new { status = "starting", version = Version }, statusCode: StatusCodes.Status503ServiceUnavailable))
            .WithName("Health");
        app.MapOpenApi("/openapi/{documentName}.json");
        app.UseBadRequestMessages();
        app.UseControlPageFiles();
        app.UseRouting();
        app.UseAuthentication();
        app.UseRemovedUsersSignedOut();
        app.UseAuthorization();
        app.MapControlPage();
        app.MapControlAuthentication();
        app.MapStreamsApi();
        app.MapNewsroomApi();
        app.MapRelaysApi();
        app.MapPullsApi();
        app.MapWebRtc();
        app.MapLiveMedia();
    }

    private static InvalidOperationException ConfigError(string message)
    {
        var ex = new InvalidOperationException(message);
        ex.Data[ConfigErrorKey] = true;
        return ex;
    }
}
