using LiveRelay.Core.Streams;
using LiveRelay.Newsroom.Model;
using LiveRelay.Newsroom.Switching;
using Microsoft.Extensions.Logging;

namespace LiveRelay.Newsroom.Rundowns;

public sealed partial class NewsroomService
{
    private const int MaxSaveAttempts = 5;

    public async Task<NewsroomResult<Rundown>> CreateRundownAsync(NewRundown input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (Title(input.Title, "title") is { } error)
        {
            return NewsroomResult<Rundown>.Fail(NewsroomError.Invalid, error);
        }

        if (FallbackError(input.Fallback ?? FallbackMode.Slate, input.FallbackSource) is { } fallbackError)
        {
            return NewsroomResult<Rundown>.Fail(NewsroomError.Invalid, fallbackError);
        }

        var now = _time.GetUtcNow();
        var rundown = new Rundown
        {
            Id = NewId(),
            StationId = Empty(input.StationId),
            Title = input.Title!.Trim(),
            PlannedStart = input.PlannedStart,
            Fallback = input.Fallback ?? FallbackMode.Slate,
            FallbackSource = Empty(input.FallbackSource),
            ReturnWhenBack = input.ReturnWhenBack ?? true,
            Version = 1,
            CreatedAt = now,
            UpdatedAt = now,
        };
        await _store.AddRundownAsync(rundown).ConfigureAwait(false);
        RundownChanged?.Invoke(rundown);
        return rundown;
    }

    public Task<Rundown?> GetRundownAsync(string id) => _store.GetRundownAsync(id);

    public Task<IReadOnlyList<Rundown>> ListRundownsAsync() => _store.ListRundownsAsync();

    /// <summary>The program output's state, or null when nothing has been taken yet.</summary>
    public ProgramStatus? GetProgram(string rundownId) => _programs.TryGetValue(rundownId, out var program) ? program.Status : null;

    public Task<NewsroomResult<Rundown>> UpdateRundownAsync(string id, RundownPatch patch, long? expectedVersion)
    {
        ArgumentNullException.ThrowIfNull(patch);
        return MutateAsync(id, expectedVersion, rundown =>
        {
            if (patch.Title is not null && Title(patch.Title, "title") is { } error)
            {
                return NewsroomResult<Rundown>.Fail(NewsroomError.Invalid, error);
            }

            var fallback = patch.Fallback ?? rundown.Fallback;
            var fallbackSource = patch.FallbackSource is null ? rundown.FallbackSource : Empty(patch.FallbackSource);
            if (FallbackError(fallback, fallbackSource) is { } fallbackError)
            {
                return NewsroomResult<Rundown>.Fail(NewsroomError.Invalid, fallbackError);
            }

            return rundown with
            {
                Title = patch.Title?.Trim() ?? rundown.Title,
                PlannedStart = patch.PlannedStart ?? rundown.PlannedStart,
                Fallback = fallback,
                FallbackSource = fallbackSource,
                ReturnWhenBack = patch.ReturnWhenBack ?? rundown.ReturnWhenBack,
            };
        });
    }

    public async Task<NewsroomResult<(Rundown Rundown, RundownItem Item)>> AddItemAsync(string id, NewItem input, long? expectedVersion)
    {
        ArgumentNullException.ThrowIfNull(input);
        var source = await ResolveSourceAsync(id, input.Source, input.FeedId).ConfigureAwait(false);
        if (!source.Ok)
        {
            return NewsroomResult<(Rundown, RundownItem)>.Fail(source.Error, source.Message!);
        }

        if (ItemError(input.Title, input.PlannedDurationSeconds, input.Notes) is { } error)
        {
            return NewsroomResult<(Rundown, RundownItem)>.Fail(NewsroomError.Invalid, error);
        }

        var itemId = NewId();
        var result = await MutateAsync(id, expectedVersion, rundown =>
        {
            if (rundown.Items.Count >= MaxItems)
            {
                return NewsroomResult<Rundown>.Fail(NewsroomError.Invalid, $"a rundown holds at most {MaxItems} items");
            }

            var position = Math.Clamp(input.Position ?? rundown.Items.Count, 0, rundown.Items.Count);
            var item = new RundownItem(itemId, id, position, input.Title!.Trim(), source.Value, Empty(input.FeedId), input.PlannedDurationSeconds, Empty(input.Notes), ItemState.Pending);
            var items = rundown.Items.ToList();
            items.Insert(position, item);
            return rundown with { Items = Renumber(items) };
        }).ConfigureAwait(false);
        return result.Ok
            ? (result.Value!, result.Value!.Items.First(i => i.Id == itemId))
            : NewsroomResult<(Rundown, RundownItem)>.Fail(result.Error, result.Message!);
    }

    public async Task<NewsroomResult<Rundown>> UpdateItemAsync(string id, string itemId, ItemPatch patch, long? expectedVersion)
    {
        ArgumentNullException.ThrowIfNull(patch);
        NewsroomResult<string?>? source = patch.Source is null && patch.FeedId is null
            ? null
            : await ResolveSourceAsync(id, patch.Source, patch.FeedId).ConfigureAwait(false);
        if (source is { Ok: false } failed)
        {
            return NewsroomResult<Rundown>.Fail(failed.Error, failed.Message!);
        }

        return await MutateAsync(id, expectedVersion, rundown =>
        {
            var items = rundown.Items.ToList();
            var index = items.FindIndex(i => i.Id == itemId);
            if (index < 0)
            {
                return NewsroomResult<Rundown>.Fail(NewsroomError.NotFound, $"item {itemId} is not in rundown {id}");
            }

            var item = items[index];
            if (ItemError(patch.Title ?? item.Title, patch.PlannedDurationSeconds, patch.Notes) is { } error)
            {
                return NewsroomResult<Rundown>.Fail(NewsroomError.Invalid, error);
            }

            items[index] = item with
            {
                Title = patch.Title?.Trim() ?? item.Title,
                Source = source is { } s ? s.Value : item.Source,
                FeedId = patch.FeedId is null ? item.FeedId : Empty(patch.FeedId),
                PlannedDurationSeconds = patch.PlannedDurationSeconds ?? item.PlannedDurationSeconds,
                Notes = patch.Notes is null ? item.Notes : Empty(patch.Notes),
                State = patch.State ?? item.State,
            };
            return rundown with { Items = items };
        }).ConfigureAwait(false);
    }

    public Task<NewsroomResult<Rundown>> RemoveItemAsync(string id, string itemId, long? expectedVersion) =>
        MutateAsync(id, expectedVersion, rundown =>
        {
            var items = rundown.Items.Where(i => i.Id != itemId).ToList();
            if (items.Count == rundown.Items.Count)
            {
                return NewsroomResult<Rundown>.Fail(NewsroomError.NotFound, $"item {itemId} is not in rundown {id}");
            }

            return rundown with
            {
                Items = Renumber(items),
                PreviewItemId = rundown.PreviewItemId == itemId ? null : rundown.PreviewItemId,
                OnAirItemId = rundown.OnAirItemId == itemId ? null : rundown.OnAirItemId,
            };
        });

    /// <summary>Puts the items in the given order; the list must name every item exactly once.</summary>
    public Task<NewsroomResult<Rundown>> ReorderAsync(string id, IReadOnlyList<string>? itemIds, long? expectedVersion) =>
        MutateAsync(id, expectedVersion, rundown =>
        {
            if (itemIds is null || itemIds.Count != rundown.Items.Count || itemIds.Distinct(StringComparer.Ordinal).Count() != itemIds.Count
                || itemIds.Any(i => rundown.Items.All(item => item.Id != i)))
            {
                return NewsroomResult<Rundown>.Fail(NewsroomError.Invalid, "itemIds must list every item of the rundown exactly once");
            }

            return rundown with { Items = Renumber([.. itemIds.Select(i => rundown.Items.First(item => item.Id == i))]) };
        });

    public Task<NewsroomResult<Rundown>> SetPreviewAsync(string id, string? itemId, long? expectedVersion) =>
        MutateAsync(id, expectedVersion, rundown =>
            itemId is not null && rundown.Items.All(i => i.Id != itemId)
                ? NewsroomResult<Rundown>.Fail(NewsroomError.NotFound, $"item {itemId} is not in rundown {id}")
                : rundown with { PreviewItemId = itemId });

    /// <summary>
    /// Previews the rundown's item for a stream (the first one not done, else the last one); when the
    /// rundown has none, adds one at the end titled with <paramref name="title"/> (or the path) and previews it.
    /// </summary>
    public async Task<NewsroomResult<Rundown>> PreviewSourceAsync(string id, string? source, string? title, long? expectedVersion)
    {
        var resolved = await ResolveSourceAsync(id, source, null).ConfigureAwait(false);
        if (!resolved.Ok || resolved.Value is not { } path)
        {
            return NewsroomResult<Rundown>.Fail(NewsroomError.Invalid, resolved.Message ?? "source (a stream path) is required");
        }

        var newItemId = NewId();
        return await MutateAsync(id, expectedVersion, rundown =>
        {
            var item = rundown.Items.FirstOrDefault(i => i.Source == path && i.State != ItemState.Done)
                ?? rundown.Items.LastOrDefault(i => i.Source == path);
            if (item is not null)
            {
                return rundown with { PreviewItemId = item.Id };
            }

            if (rundown.Items.Count >= MaxItems)
            {
                return NewsroomResult<Rundown>.Fail(NewsroomError.Invalid, $"a rundown holds at most {MaxItems} items");
            }

            var name = string.IsNullOrWhiteSpace(title) ? path : title.Trim();
            var added = new RundownItem(newItemId, id, rundown.Items.Count, name.Length > MaxTitle ? name[..MaxTitle] : name, path, null, null, null, ItemState.Pending);
            return rundown with { Items = [.. rundown.Items, added], PreviewItemId = newItemId };
        }).ConfigureAwait(false);
    }

    public Task<NewsroomResult<Rundown>> MarkDoneAsync(string id, string itemId, long? expectedVersion) =>
        UpdateItemAsync(id, itemId, new ItemPatch(null, null, null, null, null, ItemState.Done), expectedVersion);

    /// <summary>
    /// Takes an item to air: the program cuts to its feed on the feed's next keyframe. The item is on
    /// air (and the one before it done) from the request; the program's own state says when the cut happened.
    /// </summary>
    public async Task<NewsroomResult<Rundown>> TakeAsync(string id, string? itemId)
    {
        var rundown = await _store.GetRundownAsync(id).ConfigureAwait(false);
        if (rundown is null)
        {
            return NewsroomResult<Rundown>.Fail(NewsroomError.NotFound, $"rundown {id} does not exist");
        }

        var item = rundown.Items.FirstOrDefault(i => i.Id == itemId);
        if (item is null)
        {
            return NewsroomResult<Rundown>.Fail(itemId is null ? NewsroomError.Invalid : NewsroomError.NotFound, itemId is null ? "itemId is required" : $"item {itemId} is not in rundown {id}");
        }

        if (item.Source is null)
        {
            return NewsroomResult<Rundown>.Fail(NewsroomError.Conflict, $"item '{item.Title}' has no source to take");
        }

        var program = await GetOrStartProgramAsync(rundown).ConfigureAwait(false);
        if (program.Take(item.Source, item.Id) is { } refusal)
        {
            return NewsroomResult<Rundown>.Fail(NewsroomError.Conflict, refusal);
        }

        Log.Take(_logger, id, item.Id, item.Source);
        return await MutateAsync(id, null, current => current with
        {
            OnAirItemId = item.Id,
            Items = [.. current.Items.Select(i =>
                i.Id == item.Id ? i with { State = ItemState.OnAir }
                : i.State == ItemState.OnAir ? i with { State = ItemState.Done }
                : i)],
        }).ConfigureAwait(false);
    }

    public async Task<NewsroomResult<bool>> DeleteRundownAsync(string id)
    {
        if (_programs.TryRemove(id, out var program))
        {
            await program.DisposeAsync().ConfigureAwait(false);
        }

        if (!await _store.DeleteRundownAsync(id).ConfigureAwait(false))
        {
            return NewsroomResult<bool>.Fail(NewsroomError.NotFound, $"rundown {id} does not exist");
        }

        RundownRemoved?.Invoke(id);
        return true;
    }

    /// <summary>Load, change, save under the version check; retried on a race unless the caller named a version.</summary>
    private async Task<NewsroomResult<Rundown>> MutateAsync(string id, long? expectedVersion, Func<Rundown, NewsroomResult<Rundown>> change)
    {
        for (var attempt = 0; attempt < MaxSaveAttempts; attempt++)
        {
            var current = await _store.GetRundownAsync(id).ConfigureAwait(false);
            if (current is null)
            {
                return NewsroomResult<Rundown>.Fail(NewsroomError.NotFound, $"rundown {id} does not exist");
            }

            if (expectedVersion is { } expected && expected != current.Version)
            {
                return NewsroomResult<Rundown>.Fail(NewsroomError.Conflict, $"the rundown changed: it is at version {current.Version}, the change was made on version {expected}");
            }

            var changed = change(current);
            if (!changed.Ok)
            {
                return changed;
            }

            var saved = changed.Value! with { Version = current.Version + 1, UpdatedAt = _time.GetUtcNow() };
            if (await _store.SaveRundownAsync(saved, current.Version).ConfigureAwait(false))
            {
                if (_programs.TryGetValue(id, out var program))
                {
                    program.Configure(saved.Fallback, saved.FallbackSource, saved.ReturnWhenBack);
                }

                RundownChanged?.Invoke(saved);
                return saved;
            }

            if (expectedVersion is not null)
            {
                return NewsroomResult<Rundown>.Fail(NewsroomError.Conflict, "the rundown changed while this change was saved");
            }
        }

        return NewsroomResult<Rundown>.Fail(NewsroomError.Conflict, "the rundown is changing too fast; try again");
    }

    private async Task<ProgramSwitcher> GetOrStartProgramAsync(Rundown rundown)
    {
        if (_programs.TryGetValue(rundown.Id, out var existing))
        {
            return existing;
        }

        await _programLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_programs.TryGetValue(rundown.Id, out existing))
            {
                return existing;
            }

            var program = new ProgramSwitcher(rundown.ProgramPath, _hub, _slates, _programOptions, _time, _metrics, _loggers.CreateLogger<ProgramSwitcher>());
            program.Configure(rundown.Fallback, rundown.FallbackSource, rundown.ReturnWhenBack);
            var rundownId = rundown.Id;
            program.StatusChanged += (_, status) => ProgramChanged?.Invoke(rundownId, status);
            program.TakeCompleted += (p, _) => ProgramChanged?.Invoke(rundownId, p.Status);
            program.Start();
            _programs[rundown.Id] = program;
            return program;
        }
        finally
        {
            _programLock.Release();
        }
    }

    private async Task<NewsroomResult<string?>> ResolveSourceAsync(string rundownId, string? source, string? feedId)
    {
        if (!string.IsNullOrWhiteSpace(feedId))
        {
            var feed = await _store.GetFeedAsync(feedId).ConfigureAwait(false);
            return feed is null
                ? NewsroomResult<string?>.Fail(NewsroomError.Invalid, $"feed {feedId} does not exist")
                : feed.Path;
        }

        if (string.IsNullOrWhiteSpace(source))
        {
            return (string?)null;
        }

        if (!StreamPath.TryNormalize(source, out var path, out var error))
        {
            return NewsroomResult<string?>.Fail(NewsroomError.Invalid, $"source: {error}");
        }

        return path == Rundown.ProgramPathFor(rundownId)
            ? NewsroomResult<string?>.Fail(NewsroomError.Invalid, "source cannot be the rundown's own program output")
            : path;
    }

    private static string? ItemError(string? title, int? plannedDurationSeconds, string? notes) =>
        Title(title, "title")
        ?? (plannedDurationSeconds is < 0 or > 86_400 ? "plannedDurationSeconds must be between 0 and 86400" : null)
        ?? (notes is { Length: > MaxNotes } ? $"notes are longer than {MaxNotes} characters" : null);

    private static string? FallbackError(FallbackMode fallback, string? fallbackSource)
    {
        if (fallback == FallbackMode.Feed && string.IsNullOrWhiteSpace(fallbackSource))
        {
            return "fallbackSource (a stream path) is required when fallback is \"feed\"";
        }

        return fallbackSource is { Length: > 0 } && !StreamPath.TryNormalize(fallbackSource, out _, out var error) ? $"fallbackSource: {error}" : null;
    }

    private static List<RundownItem> Renumber(List<RundownItem> items)
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i].Position != i)
            {
                items[i] = items[i] with { Position = i };
            }
        }

        return items;
    }

    private static partial class Log
    {
        [LoggerMessage(2340, LogLevel.Information, "Rundown {RundownId}: take of item {ItemId} ({Source})")]
        public static partial void Take(ILogger logger, string rundownId, string itemId, string source);
    }
}
