using LiveRelay.Server.Api;

namespace LiveRelay.Server.Pulling;

/// <summary><c>/api/pulls</c>: sources the server pulls into live paths (admin bearer token).</summary>
public static class PullsApi
{
    public static IEndpointRouteBuilder MapPullsApi(this IEndpointRouteBuilder endpoints)
    {
        var pulls = endpoints.MapGroup("/api/pulls").RequireAdmin().WithTags("Pulls");
        pulls.MapPost("/", async (PullRequest input, PullManager manager, CancellationToken cancellationToken) =>
            Answer(await manager.AddAsync(input, cancellationToken).ConfigureAwait(false)))
        .WithSummary("Starts pulling a URL (rtsp(s), rtmp(s), srt, HLS) into a live path, always on or on demand; kept across restarts. 201, 400 naming the field, 409 when the path is pulled already.");
        pulls.MapGet("/", (PullManager manager) => manager.List());
        pulls.MapGet("/{id}", (string id, PullManager manager) =>
            manager.Find(id) is { } status ? Results.Ok(status) : Results.NotFound(new ApiError($"pull {id} does not exist")));
        pulls.MapPut("/{id}", async (string id, PullRequest input, PullManager manager, CancellationToken cancellationToken) =>
            Answer(await manager.UpdateAsync(id, input, cancellationToken).ConfigureAwait(false)))
        .WithSummary("Changes a pull (fields left out keep their values) and reconnects it under the same id.");
        pulls.MapDelete("/{id}", async (string id, PullManager manager) =>
            await manager.RemoveAsync(id).ConfigureAwait(false) ? Results.NoContent() : Results.NotFound(new ApiError($"pull {id} does not exist")));
        return endpoints;
    }

    private static IResult Answer((PullStatus? Status, string? Error, int StatusCode) outcome) => outcome switch
    {
        ({ } status, _, StatusCodes.Status201Created) => Results.Created($"/api/pulls/{status.Id}", status),
        ({ } status, _, _) => Results.Ok(status),
        (_, var error, var code) => Results.Json(new ApiError(error ?? "invalid pull"), statusCode: code),
    };
}
