using System.Text;
using LiveRelay.Core.Access;
using LiveRelay.Core.Diagnostics;
using LiveRelay.Protocols.Http.Flv;
using LiveRelay.Protocols.Http.Hls;
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
    private const string FlvProtocol = "flv";

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
            using var grant = await AuthorizeAsync(context, streamPath, "flv").ConfigureAwait(false);
            if (grant is null)
            {
                return;
            }

            var stream = await services.GetRequiredService<StreamHub>().FindOrDemandAsync(streamPath, StreamHub.DemandWait, context.RequestAborted).ConfigureAwait(false);
            if (stream is null)
            {
                await NotFoundAsync(context, $"No stream is live at {streamPath}.").ConfigureAwait(false);
                return;
            }

            if (stream.PlayerLimitReached() is { } full)
            {
                services.GetRequiredService<LiveRelayMetrics>().ConnectionRejected(FlvProtocol, "limit_players");
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.RetryAfter = "10";
                await context.Response.WriteAsync(full + "\n", context.RequestAborted).ConfigureAwait(false);
                return;
            }

            using var revoked = grant.Revoked.Register(static c => ((HttpContext)c!).Abort(), context);
            await HttpFlvEgress.ServeAsync(context, stream, services.GetRequiredService<LiveRelayMetrics>(), logger, grant).ConfigureAwait(false);
            return;
        }

        var hls = services.GetRequiredService<HlsService>();
        if (path.EndsWith(PlaylistName, StringComparison.Ordinal))
        {
            var streamPath = path[..^PlaylistName.Length];
            using var grant = await AuthorizeAsync(context, streamPath, HlsProtocol).ConfigureAwait(false);
            if (grant is not null)
            {
                await ServePlaylistAsync(context, hls, streamPath, grant).ConfigureAwait(false);
            }

            return;
        }

        var slash = path.LastIndexOf('/');
        if (path.EndsWith(".ts", StringComparison.Ordinal) && slash > 0)
        {
            using var grant = await AuthorizeAsync(context, path[..slash], HlsProtocol).ConfigureAwait(false);
            if (grant is not null)
            {
                await ServeSegmentAsync(context, hls, path[..slash], path[(slash + 1)..], grant).ConfigureAwait(false);
            }

            return;
        }

        await NotFoundAsync(context, "Not found. Live media is at /{app}/{stream}.flv and /{app}/{stream}/index.m3u8.").ConfigureAwait(false);
    }

    /// <summary>Asks the authorizer; on a refusal answers 403 with the reason and returns null.</summary>
    private static async Task<PlaybackGrant?> AuthorizeAsync(HttpContext context, string streamPath, string protocol)
    {
        var authorizer = context.RequestServices.GetRequiredService<IPlaybackAuthorizer>();
        var token = context.Request.Query["token"].ToString();
        var remote = Remote(context);
        var decision = await authorizer.AuthorizeAsync(new PlaybackRequest(streamPath, protocol, remote, token.Length == 0 ? null : token), context.RequestAborted).ConfigureAwait(false);
        if (decision.Grant is { } grant)
        {
            return grant;
        }

        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        context.Response.Headers.AccessControlAllowOrigin = "*";
        await context.Response.WriteAsync($"Not allowed to play {streamPath}: {decision.Refusal}\n", context.RequestAborted).ConfigureAwait(false);
        return null;
    }

    /// <summary>The player's address and port; IPv6 in brackets (<c>[::1]:50000</c>) so the port can be told apart.</summary>
    internal static string Remote(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } address
            ? new System.Net.IPEndPoint(address, context.Connection.RemotePort).ToString()
            : "";

    private static async Task ServePlaylistAsync(HttpContext context, HlsService hls, string streamPath, PlaybackGrant grant)
    {
        // A stream nobody publishes may have an on-demand source: start it and wait for its first keyframe.
        await hls.Hub.FindOrDemandAsync(streamPath, StreamHub.DemandWait, context.RequestAborted).ConfigureAwait(false);
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

        if (context.Request.Query["token"].ToString() is { Length: > 0 } token)
        {
            // Segment requests must carry the token too: append it to every segment URI.
            playlist = WithQuery(playlist, "token=" + Uri.EscapeDataString(token));
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
            grant.AddBytes(playlist.Length);
        }
    }

    /// <summary>The playlist with <paramref name="query"/> appended to each URI line (lines not starting with '#').</summary>
    internal static byte[] WithQuery(ReadOnlySpan<byte> playlist, string query)
    {
        var text = Encoding.UTF8.GetString(playlist);
        var builder = new StringBuilder(text.Length + 64 * 16);
        foreach (var line in text.Split('\n'))
        {
            if (builder.Length > 0)
            {
                builder.Append('\n');
            }

            builder.Append(line);
            if (line.Length > 0 && line[0] != '#')
            {
                builder.Append(line.Contains('?', StringComparison.Ordinal) ? '&' : '?').Append(query);
            }
        }

        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    private static async Task ServeSegmentAsync(HttpContext context, HlsService hls, string streamPath, string name, PlaybackGrant grant)
    {
        hls.Hub.NoteDemand(streamPath);
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
                grant.AddBytes(data.Length);
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
