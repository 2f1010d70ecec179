using LiveRelay.Server.Api;

namespace LiveRelay.Server.Relaying;

/// <summary><c>/api/relays</c>: push live streams to other platforms (admin bearer token).</summary>
public static class RelaysApi
{
    public static IEndpointRouteBuilder MapRelaysApi(this IEndpointRouteBuilder endpoints)
    {
        var relays = endpoints.MapGroup("/api/relays").RequireAdmin().WithTags("Relays");
        relays.MapPost("/", async (RelayRequest input, RelayManager manager, CancellationToken cancellationToken) =>
        {
            var (status, error) = await manager.AddAsync(input.Source, input.Url, cancellationToken).ConfigureAwait(false);
            return status is not null
                ? Results.Created($"/api/relays/{status.Id}", status)
                : Results.BadRequest(new ApiError(error ?? "invalid relay"));
        })
        .WithSummary("Starts pushing a live stream to an rtmp://, rtmps:// or srt:// URL; it waits for the source, follows it through publisher reconnects, retries with back-off, and is kept across restarts.");
        relays.MapGet("/", (RelayManager manager) => manager.List());
        relays.MapGet("/{id}", (string id, RelayManager manager) =>
            manager.Find(id) is { } status ? Results.Ok(status) : Results.NotFound(new ApiError($"relay {id} does not exist")));
        relays.MapPut("/{id}", async (string id, RelayRequest input, RelayManager manager, CancellationToken cancellationToken) =>
        {
            var (status, error) = await manager.UpdateAsync(id, input.Source, input.Url, cancellationToken).ConfigureAwait(false);
            return status is not null ? Results.Ok(status)
                : error is not null ? Results.BadRequest(new ApiError(error))
                : Results.NotFound(new ApiError($"relay {id} does not exist"));
        })
        .WithSummary("Changes a relay's source or URL (fields left out keep their values) and reconnects it under the same id.");
        relays.MapDelete("/{id}", async (string id, RelayManager manager) =>
            await manager.RemoveAsync(id).ConfigureAwait(false) ? Results.NoContent() : Results.NotFound(new ApiError($"relay {id} does not exist")));
        return endpoints;
    }
}

/// <summary>A relay to start, or the fields of one to change.</summary>
/// <param name="Source">The live stream path, e.g. <c>live/show</c>.</param>
/// <param name="Url">Where to push it: <c>rtmp(s)://host/app/key</c> or <c>srt://host:port?streamid=…&amp;passphrase=…</c>.</param>
public sealed record RelayRequest(string? Source, string? Url);
