using LiveRelay.Server.Api;

namespace LiveRelay.Server.Relaying;

/// <summary><c>/api/relays</c>: push live streams to other platforms (admin bearer token).</summary>
public static class RelaysApi
{
    public static IEndpointRouteBuilder MapRelaysApi(this IEndpointRouteBuilder endpoints)
    {
        var relays = endpoints.MapGroup("/api/relays").RequireAdmin().WithTags("Relays");
        relays.MapPost("/", (RelayRequest input, RelayManager manager) =>
        {
            var status = manager.Add(input.Source, input.Url, out var error);
            return status is not null
                ? Results.Created($"/api/relays/{status.Id}", status)
                : Results.BadRequest(new ApiError(error ?? "invalid relay"));
        })
        .WithSummary("Starts pushing a live stream to an rtmp:// URL; it waits for the source, follows it through publisher reconnects and retries with back-off.");
        relays.MapGet("/", (RelayManager manager) => manager.List());
        relays.MapGet("/{id}", (string id, RelayManager manager) =>
            manager.Find(id) is { } status ? Results.Ok(status) : Results.NotFound(new ApiError($"relay {id} does not exist")));
        relays.MapDelete("/{id}", async (string id, RelayManager manager) =>
            await manager.RemoveAsync(id).ConfigureAwait(false) ? Results.NoContent() : Results.NotFound(new ApiError($"relay {id} does not exist")));
        return endpoints;
    }
}

/// <summary>A relay to start.</summary>
/// <param name="Source">The live stream path, e.g. <c>live/show</c>.</param>
/// <param name="Url">Where to push it, e.g. <c>rtmp://host/app/key</c>.</param>
public sealed record RelayRequest(string? Source, string? Url);
