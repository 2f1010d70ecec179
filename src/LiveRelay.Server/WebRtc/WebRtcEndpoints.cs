using LiveRelay.Core.Access;
using System.Security.Cryptography;
using System.Text;
using LiveRelay.Core.Streams;

namespace LiveRelay.Server.WebRtc;

/// <summary>
/// WHIP (RFC 9725) and WHEP: <c>POST /whip/{app}/{stream}</c> (publish) or <c>POST /whep/{app}/{stream}</c>
/// (play) with an SDP offer → 201, the SDP answer and the session's <c>Location</c>; <c>DELETE</c> on
/// it ends the session; <c>OPTIONS</c> and CORS for browsers; trickle ICE (<c>PATCH</c>) is not needed
/// by an ICE-lite server with host candidates and is answered 405. With
/// <c>LiveRelay:WebRtc:BearerToken</c> set, WHIP needs a matching Bearer token; WHEP takes a play
/// token (Bearer or <c>?token=</c>) like every other egress.
/// </summary>
internal static class WebRtcEndpoints
{
    public const string SessionPrefix = "/whip/session/";
    public const string PlaySessionPrefix = "/whep/session/";
    private const int MaxOfferBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapWebRtc(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods("/whep/{app}/{stream}", ["OPTIONS"], (HttpContext context) =>
        {
            Cors(context.Response);
            context.Response.Headers.Append("Accept-Post", "application/sdp");
            return Results.NoContent();
        }).ExcludeFromDescription();
        endpoints.MapMethods(PlaySessionPrefix + "{id}", ["OPTIONS"], (HttpContext context) =>
        {
            Cors(context.Response);
            return Results.NoContent();
        }).ExcludeFromDescription();
        endpoints.MapPost("/whep/{app}/{stream}", PlayAsync)
            .WithTags("WebRTC")
            .WithSummary("WHEP: play any live stream over WebRTC (H.264 passthrough, audio as Opus). Body: an SDP offer (application/sdp, recvonly). 201 with the SDP answer and Location; 400 malformed SDP; 422 no usable codec; 404 not live; 403 token refused.");
        endpoints.MapDelete(PlaySessionPrefix + "{id}", async (string id, HttpContext context, WebRtcService webRtc) =>
        {
            Cors(context.Response);
            return await webRtc.EndWhepAsync(id, "the player ended the session (DELETE)").ConfigureAwait(false)
                ? Results.Ok()
                : Results.NotFound(new { error = $"WHEP session {id} does not exist" });
        }).WithTags("WebRTC").WithSummary("WHEP: end the session.");
        endpoints.MapMethods(PlaySessionPrefix + "{id}", ["PATCH"], (HttpContext context) =>
        {
            Cors(context.Response);
            context.Response.Headers.Allow = "DELETE, OPTIONS";
            return Results.StatusCode(StatusCodes.Status405MethodNotAllowed);
        }).ExcludeFromDescription();

        endpoints.MapMethods("/whip/{app}/{stream}", ["OPTIONS"], (HttpContext context) =>
        {
            Cors(context.Response);
            context.Response.Headers.Append("Accept-Post", "application/sdp");
            return Results.NoContent();
        }).ExcludeFromDescription();
        endpoints.MapMethods(SessionPrefix + "{id}", ["OPTIONS"], (HttpContext context) =>
        {
            Cors(context.Response);
            return Results.NoContent();
        }).ExcludeFromDescription();

        endpoints.MapPost("/whip/{app}/{stream}", PublishAsync)
            .WithTags("WebRTC")
            .WithSummary("WHIP: publish over WebRTC. Body: an SDP offer (application/sdp) with H.264 (packetization-mode 1) and/or Opus; the feed's publish key as Authorization: Bearer <key> (or ?key=). 201 with the SDP answer and Location; 400 malformed SDP; 422 no usable codec; 409 the path is live; 401 missing or wrong key; 403 refused by the publish callback.");
        endpoints.MapDelete(SessionPrefix + "{id}", async (string id, HttpContext context, WebRtcService webRtc) =>
        {
            Cors(context.Response);
            return await webRtc.EndWhipAsync(id, "the publisher ended the session (DELETE)").ConfigureAwait(false)
                ? Results.Ok()
                : Results.NotFound(new { error = $"WHIP session {id} does not exist" });
        }).WithTags("WebRTC").WithSummary("WHIP: end the session.");
        endpoints.MapMethods(SessionPrefix + "{id}", ["PATCH"], (HttpContext context) =>
        {
            Cors(context.Response);
            context.Response.Headers.Allow = "DELETE, OPTIONS";
            return Results.StatusCode(StatusCodes.Status405MethodNotAllowed);
        }).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task<IResult> PublishAsync(string app, string stream, HttpContext context, WebRtcService webRtc, WebRtcOptions options, IPublishAuthorizer publish)
    {
        Cors(context.Response);
        var request = context.Request;
        var authorization = request.Headers.Authorization.ToString();
        if (options.BearerToken.Length > 0 && !BearerMatches(authorization, options.BearerToken))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Json(new { error = "Authorization: Bearer <token> is required and must match" }, statusCode: StatusCodes.Status401Unauthorized);
        }

        if (!(request.ContentType ?? "").StartsWith("application/sdp", StringComparison.OrdinalIgnoreCase))
        {
            return Results.Json(new { error = "the offer must be sent as Content-Type: application/sdp" }, statusCode: StatusCodes.Status415UnsupportedMediaType);
        }

        if (!StreamPath.TryNormalize($"{app}/{stream}", out var path, out var pathError))
        {
            return Results.BadRequest(new { error = $"path: {pathError}" });
        }

        // The feed's publish key: WHIP's Bearer token (RFC 9725 §4.5), or ?key= (when a server-wide BearerToken takes the header).
        var key = options.BearerToken.Length == 0 && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? authorization[7..].Trim()
            : request.Query["key"].ToString() is { Length: > 0 } queryKey ? queryKey : null;
        var decision = await publish.AuthorizeAsync(new PublishRequest(path, "webrtc", Remote(context), key), context.RequestAborted).ConfigureAwait(false);
        if (!decision.Allowed)
        {
            webRtc.PublishRefused(path, Remote(context), decision);
            if (decision.Unauthorized)
            {
                context.Response.Headers.WWWAuthenticate = "Bearer";
            }

            return Results.Json(new { error = decision.Refusal }, statusCode: decision.Unauthorized ? StatusCodes.Status401Unauthorized : StatusCodes.Status403Forbidden);
        }

        if (request.ContentLength > MaxOfferBytes)
        {
            return Results.Json(new { error = $"the offer is larger than {MaxOfferBytes} bytes" }, statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        var offer = await ReadBoundedAsync(request.Body, MaxOfferBytes, context.RequestAborted).ConfigureAwait(false);
        if (offer is null)
        {
            return Results.Json(new { error = $"the offer is larger than {MaxOfferBytes} bytes" }, statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        var (session, answer, refusal) = webRtc.Publish(path, offer, Remote(context), decision.Takeover);
        if (refusal is not null)
        {
            return Results.Json(new { error = refusal.Message }, statusCode: refusal.StatusCode);
        }

        context.Response.Headers.Location = SessionPrefix + session!.Id;
        context.Response.Headers.ETag = $"\"{session.Id}\"";
        return Results.Text(answer!, "application/sdp", Encoding.UTF8, StatusCodes.Status201Created);
    }

    private static async Task<IResult> PlayAsync(string app, string stream, HttpContext context, WebRtcService webRtc)
    {
        Cors(context.Response);
        var request = context.Request;
        if (!(request.ContentType ?? "").StartsWith("application/sdp", StringComparison.OrdinalIgnoreCase))
        {
            return Results.Json(new { error = "the offer must be sent as Content-Type: application/sdp" }, statusCode: StatusCodes.Status415UnsupportedMediaType);
        }

        if (!StreamPath.TryNormalize($"{app}/{stream}", out var path, out var pathError))
        {
            return Results.BadRequest(new { error = $"path: {pathError}" });
        }

        var offer = request.ContentLength > MaxOfferBytes ? null : await ReadBoundedAsync(request.Body, MaxOfferBytes, context.RequestAborted).ConfigureAwait(false);
        if (offer is null)
        {
            return Results.Json(new { error = $"the offer is larger than {MaxOfferBytes} bytes" }, statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        var header = request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : request.Query["token"].ToString();
        var (session, answer, refusal) = await webRtc.PlayAsync(path, offer, Remote(context), token.Length > 0 ? token : null, context.RequestAborted).ConfigureAwait(false);
        if (refusal is not null)
        {
            return Results.Json(new { error = refusal.Message }, statusCode: refusal.StatusCode);
        }

        context.Response.Headers.Location = PlaySessionPrefix + session!.Id;
        context.Response.Headers.ETag = $"\"{session.Id}\"";
        return Results.Text(answer!, "application/sdp", Encoding.UTF8, StatusCodes.Status201Created);
    }

    private static string Remote(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } address ? new System.Net.IPEndPoint(address, context.Connection.RemotePort).ToString() : "";

    private static bool BearerMatches(string header, string token) =>
        header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[7..].Trim()), Encoding.UTF8.GetBytes(token));

    private static async Task<string?> ReadBoundedAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        var buffer = new byte[limit + 1];
        var filled = 0;
        int read;
        while ((read = await body.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false)) > 0)
        {
            filled += read;
            if (filled > limit)
            {
                return null;
            }
        }

        return Encoding.UTF8.GetString(buffer, 0, filled);
    }

    private static void Cors(HttpResponse response)
    {
        response.Headers.AccessControlAllowOrigin = "*";
        response.Headers.AccessControlAllowMethods = "POST, DELETE, PATCH, OPTIONS";
        response.Headers.AccessControlAllowHeaders = "Authorization, Content-Type, If-Match";
        response.Headers.AccessControlExposeHeaders = "Location, Link, ETag, Accept-Post";
    }
}
