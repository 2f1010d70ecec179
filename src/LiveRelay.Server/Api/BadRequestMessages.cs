namespace LiveRelay.Server.Api;

/// <summary>
/// Turns a request the endpoint could not bind (malformed JSON, a wrong type, an unknown enum value)
/// into a 400 with a JSON body that says what was wrong, instead of an empty 400.
/// </summary>
internal static class BadRequestMessages
{
    public static IApplicationBuilder UseBadRequestMessages(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
        {
            context.Response.Clear();
            context.Response.StatusCode = ex.StatusCode;
            var message = ex.InnerException is System.Text.Json.JsonException json ? $"the request body is not valid: {json.Message}" : ex.Message;
            await context.Response.WriteAsJsonAsync(new ApiError(message)).ConfigureAwait(false);
        }
    });
}
