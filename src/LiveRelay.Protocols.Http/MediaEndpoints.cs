using LiveRelay.Protocols.Http.Flv;
using LiveRelay.Protocols.Http.Hls;
using LiveRelay.Core.Diagnostics;
using LiveRelay.Core.Streams;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LiveRelay.Protocols.Http;

/// <summary>
/// Live media over HTTP: <c>/{path}.flv</c> (HTTP-FLV), <c>/{path}/index.m3u8</c> and
/// <c>/{path}/{segment}.ts</c> (HLS). Paths are stream paths (<c>app/stream</c>).
/// </summary>
public static class MediaEndpoints
{
    private const string PlaylistName = "/index.m3u8";
    private const string HlsProtocol = "hls";

    /// <summary>Maps the catch-all media route; literal API routes take precedence over it.</summary>
    public static IEndpointConventionBuilder MapLiveMedia(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapMethods("/{**path}", [HttpMethods.Get, HttpMethods.Head], HandleAsync).WithName("LiveMedia").ExcludeFromDescription();

    private static async Task HandleAsync(HttpContext context, string? path)
    {
        path ??= "";
        var services = context.RequestServices;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("LiveRelay.Http");
        if (path.EndsWith(".flv", StringComparison.Ordinal))
        {
            var streamPath = path[..^4];
            var stream = services.GetRequiredService<StreamHub>().Find(streamPath);
            if (stream is null)
            {
                await NotFoundAsync(context, $"No stream is live at {streamPath}.").ConfigureAwait(false);
                return;
            }

            await HttpFlvEgress.ServeAsync(context, stream, services.GetRequiredService<LiveRelayMetrics>(), logger).ConfigureAwait(false);
            return;
        }

        var hls = services.GetRequiredService<HlsService>();
        if (path.EndsWith(PlaylistName, StringComparison.Ordinal))
        {
            await ServePlaylistAsync(context, hls, path[..^PlaylistName.Length]).ConfigureAwait(false);
            return;
        }

        var slash = path.LastIndexOf('/');
        if (path.EndsWith(".ts", StringComparison.Ordinal) && slash > 0)
        {
            await ServeSegmentAsync(context, hls, path[..slash], path[(slash + 1)..]).ConfigureAwait(false);
            return;
        }

        await NotFoundAsync(context, "Not found. Live media is at /{app}/{stream}.flv and /{app}/{stream}/index.m3u8.").ConfigureAwait(false);
    }

    private static async Task ServePlaylistAsync(HttpContext context, HlsService hls, string streamPath)
    {
        var muxer = hls.Find(streamPath);
        if (muxer is null)
        {
            await NotFoundAsync(context, $"No stream is live at {streamPath}.").ConfigureAwait(false);
            return;
        }

        var playlist = muxer.Playlist;
        if (playlist.Length == 0)
        {
            // A stream that just started: hold the request until its first segment exists.
            var wait = TimeSpan.FromSeconds(hls.Options.FirstSegmentWaitSeconds);
            await muxer.WaitForFirstSegmentAsync(wait, context.RequestAborted).ConfigureAwait(false);
            playlist = muxer.Playlist;
            if (playlist.Length == 0)
            {
                await NotFoundAsync(context, $"{streamPath} has no HLS segment yet.").ConfigureAwait(false);
                return;
            }
        }

        var response = context.Response;
        response.ContentType = "application/vnd.apple.mpegurl";
        response.Headers.CacheControl = "no-cache";
        response.Headers.AccessControlAllowOrigin = "*";
        response.ContentLength = playlist.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(playlist, context.RequestAborted).ConfigureAwait(false);
            hls.Metrics.BytesSent(HlsProtocol, playlist.Length);
        }
    }

    private static async Task ServeSegmentAsync(HttpContext context, HlsService hls, string streamPath, string name)
    {
        var data = hls.Find(streamPath)?.AcquireSegment(name);
        if (data is null)
        {
            await NotFoundAsync(context, $"Segment {name} of {streamPath} is not available (expired or never written).").ConfigureAwait(false);
            return;
        }

        try
        {
            var response = context.Response;
            response.ContentType = "video/mp2t";
            response.Headers.CacheControl = "public, max-age=60";
            response.Headers.AccessControlAllowOrigin = "*";
            response.ContentLength = data.Length;
            if (!HttpMethods.IsHead(context.Request.Method))
            {
                await response.Body.WriteAsync(data.Memory, context.RequestAborted).ConfigureAwait(false);
                hls.Metrics.BytesSent(HlsProtocol, data.Length);
            }
        }
        finally
        {
            data.Release();
        }
    }

    private static Task NotFoundAsync(HttpContext context, string message)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        context.Response.Headers.AccessControlAllowOrigin = "*";
        return context.Response.WriteAsync(message + "\n", context.RequestAborted);
    }
}
