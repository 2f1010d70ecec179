using LiveRelay.Server.Newsroom;

namespace LiveRelay.Server.Api;

/// <summary>The admin API's check: <c>Authorization: Bearer &lt;LiveRelay:Auth:AdminToken&gt;</c>, else 401.</summary>
internal static class AdminAuth
{
    public static RouteGroupBuilder RequireAdmin(this RouteGroupBuilder group) =>
        group.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var header = http.Request.Headers.Authorization.ToString();
            const string Bearer = "Bearer ";
            if (header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase)
                && http.RequestServices.GetRequiredService<NewsroomSecrets>().IsAdmin(header.AsSpan(Bearer.Length).Trim()))
            {
                return await next(context).ConfigureAwait(false);
            }

            http.Response.Headers.WWWAuthenticate = "Bearer realm=\"liverelay\"";
            return Results.Json(
                new ApiError(header.Length == 0 ? "Authorization: Bearer <admin token> is required" : "the bearer token is not the admin token"),
                statusCode: StatusCodes.Status401Unauthorized);
        });
}

/// <summary>An API error body.</summary>
/// <param name="Error">What went wrong, in words.</param>
public sealed record ApiError(string Error);
