using LiveRelay.Server.Control.Monitoring;
using Microsoft.Extensions.FileProviders;

namespace LiveRelay.Server.Control;

/// <summary>
/// The control page (<c>/control/</c>, files from <c>wwwroot</c> next to the server, with the npm
/// libraries the build copies into <c>wwwroot/control/lib</c>), its hub and its thumbnails.
/// </summary>
public static class ControlPage
{
    /// <summary>
    /// Serves the page's files. Goes before routing: the media endpoints' catch-all route would
    /// otherwise match every path, and static files step aside for a matched endpoint.
    /// </summary>
    public static WebApplication UseControlPageFiles(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // "/control" → "/control/" (and the WebRTC sample pages "/publish", "/play"), so the page's relative URLs resolve under it (a middleware: routing
        // does not tell the two apart).
        app.Use((context, next) =>
        {
            if (context.Request.Path.Value is "/control" or "/publish" or "/play")
            {
                context.Response.Redirect(context.Request.Path.Value + "/" + context.Request.QueryString);
                return Task.CompletedTask;
            }

            return next(context);
        });

        var root = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        if (Directory.Exists(root))
        {
            var files = new PhysicalFileProvider(root);
            app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
            app.UseStaticFiles(new StaticFileOptions
            {
                FileProvider = files,
                RequestPath = "",
                OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "no-cache",
            });
        }

        return app;
    }

    public static WebApplication MapControlPage(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHub<ControlHub>("/hubs/control", hub => hub.CloseOnAuthenticationExpiration = true);
        app.MapGet("/api/control/thumbnails/{**path}", (string path, HttpContext context, ControlPlane plane, FeedMonitors monitors) =>
            {
                if (ControlUser.From(context.User) is not { } user || !plane.CanSeeStream(user, path))
                {
                    return Results.NotFound();
                }

                if (monitors.Find(path)?.Thumbnail is not { } picture)
                {
                    return Results.NotFound(new Api.ApiError($"no thumbnail of {path} yet (thumbnails run while a control page watches)"));
                }

                context.Response.Headers.CacheControl = "no-cache";
                return Results.File(picture, "image/jpeg");
            })
            .RequireAuthorization()
            .WithTags("Control")
            .WithSummary("The latest thumbnail of a live feed (JPEG, 320 px wide), for signed-in users.");
        return app;
    }
}
