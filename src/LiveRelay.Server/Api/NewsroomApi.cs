using LiveRelay.Newsroom.Model;
using LiveRelay.Newsroom.Rundowns;
using LiveRelay.Newsroom.Storage;
using LiveRelay.Newsroom.Switching;
using LiveRelay.Server.Configuration;
using Microsoft.AspNetCore.Mvc;

namespace LiveRelay.Server.Api;

/// <summary>
/// The newsroom's admin API (bearer token): stations, feeds, rundowns and items, takes, shares with
/// their pull links, and the pull log. Rundown changes take an optional <c>If-Match: "version"</c>; a
/// stale one gets 409 with the current rundown.
/// </summary>
public static class NewsroomApi
{
    public static IEndpointRouteBuilder MapNewsroomApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api").RequireAdmin().WithTags("Newsroom");

        api.MapPost("/stations", async (NewStation input, NewsroomService newsroom) =>
            Created(await newsroom.AddStationAsync(input).ConfigureAwait(false), s => $"/api/stations/{s.Id}"));
        api.MapGet("/stations", (INewsroomStore store) => store.ListStationsAsync());
        api.MapGet("/stations/{id}", async (string id, INewsroomStore store) =>
            await store.GetStationAsync(id).ConfigureAwait(false) is { } station ? Results.Ok(station) : NotFound($"station {id} does not exist"));
        api.MapDelete("/stations/{id}", async (string id, INewsroomStore store) =>
            await store.DeleteStationAsync(id).ConfigureAwait(false) ? Results.NoContent() : NotFound($"station {id} does not exist"));

        api.MapPost("/feeds", async (NewFeed input, NewsroomService newsroom) =>
            Created(await newsroom.AddFeedAsync(input).ConfigureAwait(false), f => $"/api/feeds/{f.Id}"));
        api.MapGet("/feeds", (INewsroomStore store) => store.ListFeedsAsync());
        api.MapGet("/feeds/{id}", async (string id, INewsroomStore store) =>
            await store.GetFeedAsync(id).ConfigureAwait(false) is { } feed ? Results.Ok(feed) : NotFound($"feed {id} does not exist"));
        api.MapPatch("/feeds/{id}", async (string id, FeedPatch patch, NewsroomService newsroom) =>
            Respond(await newsroom.UpdateFeedAsync(id, patch).ConfigureAwait(false), Results.Ok))
            .WithSummary("Changes a feed's name, SRT passphrase (srtPassphrase; \"\" clears it) or takeover flag.");
        api.MapDelete("/feeds/{id}", async (string id, NewsroomService newsroom) =>
            Respond(await newsroom.DeleteFeedAsync(id).ConfigureAwait(false), _ => Results.NoContent()))
            .WithSummary("Deletes a feed; its publisher, if live, is disconnected.");
        api.MapPost("/feeds/{id}/key", async (string id, HttpRequest request, NewsroomService newsroom) =>
        {
            KeyRotation? rotation = null;
            if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
            {
                try
                {
                    rotation = await request.ReadFromJsonAsync<KeyRotation>().ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException)
                {
                    return Results.BadRequest(new { error = $"the body must be JSON like {{\"publishKey\": \"…\"}}: {ex.Message}" });
                }
            }

            return Respond(await newsroom.RotateKeyAsync(id, rotation).ConfigureAwait(false), Results.Ok);
        }).WithSummary("Rotates the feed's publish key: body {\"publishKey\": \"…\"} to choose it, or nothing for a random one. The old key stops working at once; a live session carries on.");
        api.MapDelete("/feeds/{id}/key", async (string id, NewsroomService newsroom) =>
            Respond(await newsroom.RevokeKeyAsync(id).ConfigureAwait(false), Results.Ok))
            .WithSummary("Revokes the feed's publish key: nobody can publish the feed until a new key is made, and the live publisher is disconnected.");

        MapRundowns(api);

        api.MapPost("/shares", async (NewShare input, NewsroomService newsroom) =>
            Created(await newsroom.ShareAsync(input).ConfigureAwait(false), s => $"/api/shares/{s.Id}"));
        api.MapGet("/shares", (string? targetId, string? stationId, INewsroomStore store) => store.ListSharesAsync(targetId, stationId));
        api.MapGet("/shares/{id}", async (string id, INewsroomStore store) =>
            await store.GetShareAsync(id).ConfigureAwait(false) is { } share ? Results.Ok(share) : NotFound($"share {id} does not exist"));
        api.MapDelete("/shares/{id}", async (string id, NewsroomService newsroom) =>
            Respond(await newsroom.RevokeShareAsync(id).ConfigureAwait(false), Results.Ok))
            .WithSummary("Revokes a share: its links stop working and its pulls in progress end.");
        api.MapGet("/shares/{id}/links", async (string id, HttpContext context, NewsroomService newsroom, LiveRelayOptions options) =>
            Respond(await newsroom.GetLinksAsync(id, Bases(context, options)).ConfigureAwait(false), Results.Ok))
            .WithSummary("Ready-to-paste pull links (HLS, HTTP-FLV, RTMP, SRT) with the partner's signed token.");

        api.MapGet("/pull-log", async (string? stationId, string? stream, DateTimeOffset? since, int? limit, INewsroomStore store) =>
            await store.ListPullsAsync(new PullQuery(stationId, stream, since, limit ?? 500)).ConfigureAwait(false))
            .WithSummary("The pull log, newest first: who pulled which stream, how, from where, when, for how long and how many bytes.");
        return endpoints;
    }

    private static void MapRundowns(RouteGroupBuilder api)
    {
        api.MapPost("/rundowns", async (NewRundown input, NewsroomService newsroom) =>
            Created(await newsroom.CreateRundownAsync(input).ConfigureAwait(false), r => $"/api/rundowns/{r.Id}", newsroom));
        api.MapGet("/rundowns", async (NewsroomService newsroom) =>
            (await newsroom.ListRundownsAsync().ConfigureAwait(false)).Select(r => RundownView.Of(r, newsroom.GetProgram(r.Id))));
        api.MapGet("/rundowns/{id}", async (string id, HttpContext context, NewsroomService newsroom) =>
        {
            if (await newsroom.GetRundownAsync(id).ConfigureAwait(false) is not { } rundown)
            {
                return NotFound($"rundown {id} does not exist");
            }

            context.Response.Headers.ETag = $"\"{rundown.Version}\"";
            return Results.Ok(RundownView.Of(rundown, newsroom.GetProgram(id)));
        });
        api.MapPatch("/rundowns/{id}", async (string id, RundownPatch patch, HttpContext context, NewsroomService newsroom) =>
            Rundown(await newsroom.UpdateRundownAsync(id, patch, IfMatch(context)).ConfigureAwait(false), newsroom, id));
        api.MapDelete("/rundowns/{id}", async (string id, NewsroomService newsroom) =>
            Respond(await newsroom.DeleteRundownAsync(id).ConfigureAwait(false), _ => Results.NoContent()));

        api.MapPost("/rundowns/{id}/items", async (string id, NewItem input, HttpContext context, NewsroomService newsroom) =>
        {
            var result = await newsroom.AddItemAsync(id, input, IfMatch(context)).ConfigureAwait(false);
            if (!result.Ok)
            {
                return await ErrorAsync(result.Error, result.Message, newsroom, id).ConfigureAwait(false);
            }

            var (rundown, item) = result.Value;
            return Results.Created($"/api/rundowns/{id}/items/{item.Id}", ItemView.Of(item, rundown.Version));
        });
        api.MapPatch("/rundowns/{id}/items/{itemId}", async (string id, string itemId, ItemPatch patch, HttpContext context, NewsroomService newsroom) =>
            Rundown(await newsroom.UpdateItemAsync(id, itemId, patch, IfMatch(context)).ConfigureAwait(false), newsroom, id));
        api.MapDelete("/rundowns/{id}/items/{itemId}", async (string id, string itemId, HttpContext context, NewsroomService newsroom) =>
            Rundown(await newsroom.RemoveItemAsync(id, itemId, IfMatch(context)).ConfigureAwait(false), newsroom, id));
        api.MapPost("/rundowns/{id}/items/reorder", async (string id, ReorderRequest input, HttpContext context, NewsroomService newsroom) =>
            Rundown(await newsroom.ReorderAsync(id, input.ItemIds, IfMatch(context)).ConfigureAwait(false), newsroom, id));
        api.MapPost("/rundowns/{id}/items/{itemId}/done", async (string id, string itemId, HttpContext context, NewsroomService newsroom) =>
            Rundown(await newsroom.MarkDoneAsync(id, itemId, IfMatch(context)).ConfigureAwait(false), newsroom, id));
        api.MapPost("/rundowns/{id}/preview", async (string id, ItemRequest input, HttpContext context, NewsroomService newsroom) =>
            Rundown(await newsroom.SetPreviewAsync(id, input.ItemId, IfMatch(context)).ConfigureAwait(false), newsroom, id));
        api.MapPost("/rundowns/{id}/take", async (string id, ItemRequest input, NewsroomService newsroom) =>
        {
            var result = await newsroom.TakeAsync(id, input.ItemId).ConfigureAwait(false);
            return result.Ok
                ? Results.Accepted($"/api/rundowns/{id}", RundownView.Of(result.Value!, newsroom.GetProgram(id)))
                : await ErrorAsync(result.Error, result.Message, newsroom, id).ConfigureAwait(false);
        })
        .WithSummary("Takes an item to air: 202 at once; the program cuts on the source's next keyframe (see program.lastTakeLatencyMs).");
        api.MapGet("/rundowns/{id}/program", (string id, NewsroomService newsroom) =>
            newsroom.GetProgram(id) is { } program ? Results.Ok(program) : NotFound($"rundown {id} has no program output yet (nothing was taken)"));
    }

    private static async Task<IResult> Rundown(NewsroomResult<Rundown> result, NewsroomService newsroom, string id) =>
        result.Ok ? Results.Ok(RundownView.Of(result.Value!, newsroom.GetProgram(id))) : await ErrorAsync(result.Error, result.Message, newsroom, id).ConfigureAwait(false);

    private static IResult Respond<T>(NewsroomResult<T> result, Func<T, IResult> ok) =>
        result.Ok ? ok(result.Value!) : Error(result.Error, result.Message);

    private static IResult Created<T>(NewsroomResult<T> result, Func<T, string> location) =>
        result.Ok ? Results.Created(location(result.Value!), result.Value) : Error(result.Error, result.Message);

    private static IResult Created(NewsroomResult<Rundown> result, Func<Rundown, string> location, NewsroomService newsroom) =>
        result.Ok ? Results.Created(location(result.Value!), RundownView.Of(result.Value!, null)) : Error(result.Error, result.Message);

    /// <summary>An error; a conflict on a rundown carries the current rundown so the client can redo its change.</summary>
    private static async Task<IResult> ErrorAsync(NewsroomError error, string? message, NewsroomService newsroom, string id)
    {
        if (error == NewsroomError.Conflict && await newsroom.GetRundownAsync(id).ConfigureAwait(false) is { } current)
        {
            return Results.Json(new RundownConflict(message ?? "conflict", RundownView.Of(current, newsroom.GetProgram(id))), statusCode: StatusCodes.Status409Conflict);
        }

        return Error(error, message);
    }

    private static IResult Error(NewsroomError error, string? message) => Results.Json(
        new ApiError(message ?? error.ToString()),
        statusCode: error switch
        {
            NewsroomError.NotFound => StatusCodes.Status404NotFound,
            NewsroomError.Conflict => StatusCodes.Status409Conflict,
            _ => StatusCodes.Status400BadRequest,
        });

    private static IResult NotFound(string message) => Results.NotFound(new ApiError(message));

    /// <summary>The version in <c>If-Match</c> ("3", 3 or W/"3"), if any.</summary>
    private static long? IfMatch(HttpContext context)
    {
        var value = context.Request.Headers.IfMatch.ToString().Trim();
        if (value.StartsWith("W/", StringComparison.Ordinal))
        {
            value = value[2..];
        }

        return long.TryParse(value.Trim('"'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version) ? version : null;
    }

    internal static LinkBases Bases(HttpContext context, LiveRelayOptions options)
    {
        var host = context.Request.Host.Host;
        var urls = options.PublicUrls;
        return new LinkBases(
            urls.Http.Length > 0 ? urls.Http.TrimEnd('/') : $"{context.Request.Scheme}://{context.Request.Host}",
            urls.Rtmp.Length > 0 ? urls.Rtmp.TrimEnd('/') : $"rtmp://{host}:{options.Rtmp.Port}",
            urls.Srt.Length > 0 ? urls.Srt.TrimEnd('/') : options.Srt.Port == 0 ? null : $"srt://{host}:{options.Srt.Port}");
    }
}

/// <summary>Names an item.</summary>
public sealed record ItemRequest(string? ItemId);

/// <summary>The new running order.</summary>
public sealed record ReorderRequest(IReadOnlyList<string>? ItemIds);

/// <summary>A created item, with the rundown's new version.</summary>
public sealed record ItemView(
    string Id,
    string RundownId,
    int Position,
    string Title,
    string? Source,
    string? FeedId,
    int? PlannedDurationSeconds,
    string? Notes,
    ItemState State,
    long RundownVersion)
{
    public static ItemView Of(RundownItem i, long version) =>
        new(i.Id, i.RundownId, i.Position, i.Title, i.Source, i.FeedId, i.PlannedDurationSeconds, i.Notes, i.State, version);
}

/// <summary>A refused change and the rundown as it is now.</summary>
public sealed record RundownConflict(string Error, RundownView Current);

/// <summary>A rundown as the API shows it: the stored rundown plus its program output's live state.</summary>
public sealed record RundownView(
    string Id,
    string? StationId,
    string Title,
    DateTimeOffset? PlannedStart,
    FallbackMode Fallback,
    string? FallbackSource,
    bool ReturnWhenBack,
    IReadOnlyList<RundownItem> Items,
    string? OnAirItemId,
    string? PreviewItemId,
    long Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string ProgramPath,
    ProgramStatus? Program)
{
    public static RundownView Of(Rundown r, ProgramStatus? program) => new(
        r.Id, r.StationId, r.Title, r.PlannedStart, r.Fallback, r.FallbackSource, r.ReturnWhenBack, r.Items,
        r.OnAirItemId, r.PreviewItemId, r.Version, r.CreatedAt, r.UpdatedAt, r.ProgramPath, program);
}
