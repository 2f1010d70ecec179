namespace LiveRelay.Server.Api;

/// <summary>
/// Turns a request the endpoint could not bind (malformed JSON, a wrong type, an unknown enum value)
/// into a 400 with a JSON body that says what was wrong, instead of an empty 400; and a request that
/// needed the database while it is unreachable or locked into a 503 that says so (with Retry-After),
/// instead of a 500. Media is never behind the database: streams carry on meanwhile.
/// </summary>
internal static partial class BadRequestMessages
{
    public static IApplicationBuilder UseBadRequestMessages(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsDatabaseFailure(ex) && !context.Response.HasStarted)
        {
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("LiveRelay.Api");
            Log.DatabaseUnavailable(logger, context.Request.Method, context.Request.Path, ex.Message);
            (context.RequestServices.GetService<LiveRelay.Newsroom.Storage.INewsroomStore>() as LiveRelay.Newsroom.Storage.SqlNewsroomStore)?.ResetConnections();
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "5";
            await context.Response.WriteAsJsonAsync(new ApiError($"the database is unavailable, try again shortly: {ex.Message}")).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
        {
            context.Response.Clear();
            context.Response.StatusCode = ex.StatusCode;
            var message = ex.InnerException is System.Text.Json.JsonException json ? $"the request body is not valid: {json.Message}" : ex.Message;
            await context.Response.WriteAsJsonAsync(new ApiError(message)).ConfigureAwait(false);
        }
    });

    private static bool IsDatabaseFailure(Exception ex) =>
        ex is System.Data.Common.DbException or TimeoutException
        || (ex is InvalidOperationException && ex.InnerException is System.Data.Common.DbException or System.Net.Sockets.SocketException or TimeoutException);

    private static partial class Log
    {
        [LoggerMessage(2360, LogLevel.Warning, "{Method} {Path}: the database is unavailable: {Reason}")]
        public static partial void DatabaseUnavailable(ILogger logger, string method, string path, string reason);
    }
}
