using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using LiveRelay.Core.Diagnostics;
using LiveRelay.Core.Streams;
using LiveRelay.Newsroom.Access;
using LiveRelay.Newsroom.Model;
using LiveRelay.Newsroom.Storage;
using LiveRelay.Newsroom.Switching;
using Microsoft.Extensions.Logging;

namespace LiveRelay.Newsroom.Rundowns;

/// <summary>
/// The newsroom's commands: stations, feeds, rundowns and their items, takes into the program
/// outputs, shares and their pull links. Validates input (clear errors), keeps the store and the
/// live program switchers in step, and raises <see cref="RundownChanged"/> after every change.
/// </summary>
public sealed partial class NewsroomService : IAsyncDisposable
{
    private const int MaxTitle = 200;
    private const int MaxNotes = 4000;
    private const int MaxItems = 500;

    private readonly INewsroomStore _store;
    private readonly StreamHub _hub;
    private readonly SlateLibrary _slates;
    private readonly ProgramOptions _programOptions;
    private readonly ShareRegistry _shares;
    private readonly PlayTokens _tokens;
    private readonly TimeProvider _time;
    private readonly LiveRelayMetrics? _metrics;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger<NewsroomService> _logger;
    private readonly ConcurrentDictionary<string, ProgramSwitcher> _programs = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _programLock = new(1, 1);

    public NewsroomService(
        INewsroomStore store,
        StreamHub hub,
        SlateLibrary slates,
        ProgramOptions programOptions,
        ShareRegistry shares,
        PlayTokens tokens,
        TimeProvider time,
        LiveRelayMetrics? metrics,
        ILoggerFactory loggers)
    {
        _store = store;
        _hub = hub;
        _slates = slates;
        _programOptions = programOptions;
        _shares = shares;
        _tokens = tokens;
        _time = time;
        _metrics = metrics;
        _loggers = loggers;
        _logger = loggers.CreateLogger<NewsroomService>();
    }

    /// <summary>Raised after a rundown changed (saved), with its new state.</summary>
    public event Action<Rundown>? RundownChanged;

    /// <summary>Raised when a program output's state changes: a take completed or failed, a fallback, a return.</summary>
    public event Action<string, ProgramStatus>? ProgramChanged;

    /// <summary>Raised after a rundown was deleted, with its id.</summary>
    public event Action<string>? RundownRemoved;

    /// <summary>How long pull links work when the share does not end sooner.</summary>
    public TimeSpan LinkLifetime { get; init; } = TimeSpan.FromHours(24);

    public INewsroomStore Store => _store;

    /// <summary>The feeds' publish keys, kept in step with every feed change.</summary>
    public PublishKeys Keys { get; init; } = new();

    /// <summary>Loads what the publish and play checks need from the store.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        _shares.Load(await _store.ListSharesAsync(cancellationToken: cancellationToken).ConfigureAwait(false));
        Keys.Load(await _store.ListFeedsAsync(cancellationToken).ConfigureAwait(false));
    }

    public async Task<NewsroomResult<Station>> AddStationAsync(NewStation input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (Title(input.Name, "name") is { } error)
        {
            return NewsroomResult<Station>.Fail(NewsroomError.Invalid, error);
        }

        if (input.Code is null || !StationCode().IsMatch(input.Code))
        {
            return NewsroomResult<Station>.Fail(NewsroomError.Invalid, "code must be 2–32 characters of a–z, 0–9 and '-', e.g. \"hztv\"");
        }

        var station = new Station(NewId(), input.Name!.Trim(), input.Code, _time.GetUtcNow());
        return await _store.AddStationAsync(station).ConfigureAwait(false)
            ? station
            : NewsroomResult<Station>.Fail(NewsroomError.Conflict, $"a station with code '{input.Code}' exists");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var program in _programs.Values)
        {
            await program.DisposeAsync().ConfigureAwait(false);
        }

        _programs.Clear();
        _programLock.Dispose();
    }

    internal static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    private static string? Empty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string? Title(string? value, string name) =>
        string.IsNullOrWhiteSpace(value) ? $"{name} is required"
        : value.Trim().Length > MaxTitle ? $"{name} is longer than {MaxTitle} characters"
        : null;

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,31}$")]
    private static partial Regex StationCode();
}
