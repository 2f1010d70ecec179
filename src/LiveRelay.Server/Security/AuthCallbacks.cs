using System.Net.Http.Json;
using LiveRelay.Core.Diagnostics;
using LiveRelay.Server.Configuration;

namespace LiveRelay.Server.Security;

/// <summary>
/// The operator's HTTP callbacks (nginx-rtmp's <c>on_publish</c>/<c>on_play</c>/<c>on_publish_done</c>):
/// a JSON POST per event; 2xx allows, 4xx refuses, and a callback that cannot answer in time (timeout,
/// connection refused, 5xx) follows the configured failure policy. Each outcome is logged and counted.
/// </summary>
public sealed partial class AuthCallbacks(AuthCallbackOptions options, HttpClient http, LiveRelayMetrics metrics, ILogger<AuthCallbacks> logger)
{
    private readonly TimeSpan _timeout = TimeSpan.FromMilliseconds(options.TimeoutMilliseconds);
    private readonly bool _allowOnFailure = options.FailurePolicy == "allow";

    public bool HasPublish => options.OnPublish.Length > 0;

    public bool HasPlay => options.OnPlay.Length > 0;

    public bool HasUnpublish => options.OnUnpublish.Length > 0;

    /// <summary>Asks the publish callback; null when allowed, else the refusal.</summary>
    public Task<string?> AskPublishAsync(CallbackEvent e, CancellationToken cancellationToken) => AskAsync(options.OnPublish, e, cancellationToken);

    /// <summary>Asks the play callback; null when allowed, else the refusal.</summary>
    public Task<string?> AskPlayAsync(CallbackEvent e, CancellationToken cancellationToken) => AskAsync(options.OnPlay, e, cancellationToken);

    /// <summary>Tells the unpublish callback, in the background; its answer does not matter.</summary>
    public void TellUnpublish(CallbackEvent e) => _ = AskAsync(options.OnUnpublish, e, CancellationToken.None);

    private async Task<string?> AskAsync(string url, CallbackEvent e, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        string? failure;
        try
        {
            using var response = await http.PostAsJsonAsync(url, e, timeout.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status is >= 200 and < 300)
            {
                metrics.AuthCallback(e.Action, "allowed");
                return null;
            }

            if (status is >= 400 and < 500)
            {
                metrics.AuthCallback(e.Action, "refused");
                Log.Refused(logger, e.Action, e.Path, e.RemoteAddress ?? "", status);
                return $"refused by the {e.Action} callback (HTTP {status})";
            }

            failure = $"HTTP {status}";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            failure = $"no answer within {_timeout.TotalMilliseconds:0} ms";
        }
        catch (HttpRequestException ex)
        {
            failure = ex.Message;
        }

        metrics.AuthCallback(e.Action, "failed");
        Log.Failed(logger, e.Action, url, failure, _allowOnFailure ? "allow" : "deny");
        return _allowOnFailure || e.Action == "unpublish" ? null : $"the {e.Action} callback failed ({failure})";
    }

    private static partial class Log
    {
        [LoggerMessage(2900, LogLevel.Warning, "The {Action} callback refused {StreamPath} for {RemoteAddress} (HTTP {Status})")]
        public static partial void Refused(ILogger logger, string action, string streamPath, string remoteAddress, int status);

        [LoggerMessage(2901, LogLevel.Warning, "The {Action} callback {Url} failed: {Failure}; policy: {Policy}")]
        public static partial void Failed(ILogger logger, string action, string url, string failure, string policy);
    }
}

/// <summary>What a callback is told (serialized as JSON with camelCase names).</summary>
/// <param name="Action"><c>publish</c>, <c>play</c> or <c>unpublish</c>.</param>
/// <param name="Path">The stream path, <c>app/stream</c>.</param>
/// <param name="App">The app part of the path.</param>
/// <param name="Stream">The stream part of the path.</param>
/// <param name="Protocol">rtmp, srt, webrtc (publish); rtmp, flv, hls, srt, whep (play).</param>
/// <param name="RemoteAddress">The client's address and port.</param>
/// <param name="Key">The publish key presented, if any.</param>
/// <param name="Token">The play token presented, if any.</param>
public sealed record CallbackEvent(string Action, string Path, string App, string Stream, string Protocol, string? RemoteAddress, string? Key = null, string? Token = null)
{
    public static CallbackEvent Of(string action, string path, string protocol, string? remote, string? key = null, string? token = null)
    {
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        return new(action, path, slash < 0 ? path : path[..slash], slash < 0 ? "" : path[(slash + 1)..], protocol, remote, key, token);
    }
}
