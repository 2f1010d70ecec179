using LiveRelay.Server.Api;

namespace LiveRelay.Server.Pulling;

/// <summary><c>/api/pulls</c>: sources the server pulls into live paths (admin bearer token).</summary>
public static class PullsApi
{
    public static IEndpointRouteBuilder MapPullsApi(this IEndpointRouteBuilder endpoints)
    {
        var pulls = endpoints.MapGroup("/api/pulls").RequireAdmin().WithTags("Pulls");
        pulls.MapPost("/", (PullRequest input, PullManager manager) =>
        {
            var status = manager.Add(input, out var error);
            return status is not null
                ? Results.Created($"/api/pulls/{status.Id}", status)
                : Results.BadRequest(new ApiError(error ?? "invalid pull"));
        })
        .WithSummary("Starts pulling a URL into a live path (rtmp:// for now); it reconnects with back-off and shows its state here.");
        pulls.MapGet("/", (PullManager manager) => manager.List());
        pulls.MapGet("/{id}", (string id, PullManager manager) =>
            manager.Find(id) is { } status ? Results.Ok(status) : Results.NotFound(new ApiError($"pull {id} does not exist")));
        pulls.MapDelete("/{id}", async (string id, PullManager manager) =>
            await manager.RemoveAsync(id).ConfigureAwait(false) ? Results.NoContent() : Results.NotFound(new ApiError($"pull {id} does not exist")));
        return endpoints;
    }
}
