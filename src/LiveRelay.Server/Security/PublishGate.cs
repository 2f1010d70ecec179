using LiveRelay.Core.Access;
using LiveRelay.Core.Streams;
using LiveRelay.Newsroom.Access;
using LiveRelay.Server.Configuration;

namespace LiveRelay.Server.Security;

/// <summary>
/// Who may publish, the same for RTMP, SRT and WHIP. A path a feed claims publishes only with that
/// feed's key (checked in constant time; a revoked key publishes nothing). A path no feed claims
/// publishes when <c>LiveRelay:Auth:AllowAnonymousPublish</c> is on, or when a publish callback is
/// configured (the callback decides); otherwise it is refused. Then the publish callback, if any, is asked.
/// The unpublish callback hears of every publisher that leaves.
/// </summary>
public sealed class PublishGate : IPublishAuthorizer
{
    private static readonly HashSet<string> s_published = ["rtmp", "srt", "webrtc"];

    private readonly PublishKeys _keys;
    private readonly AuthOptions _options;
    private readonly AuthCallbacks _callbacks;

    public PublishGate(PublishKeys keys, AuthOptions options, AuthCallbacks callbacks, StreamHub hub)
    {
        ArgumentNullException.ThrowIfNull(hub);
        _keys = keys;
        _options = options;
        _callbacks = callbacks;
        if (callbacks.HasUnpublish)
        {
            hub.PublisherDetached += OnDetached;
        }
    }

    public PublishDecision Check(PublishRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var check = _keys.Check(request.Path, request.Key);
        return check.Result switch
        {
            KeyResult.Valid => PublishDecision.Allow(check.Feed!.Takeover, check.Feed.SrtPassphrase),
            KeyResult.Missing => PublishDecision.Refuse($"{request.Path} needs its publish key (feed \"{check.Feed!.Name}\"); add ?key=… to the stream name or URL", unauthorized: true),
            KeyResult.Wrong => PublishDecision.Refuse($"wrong publish key for {request.Path}", unauthorized: true),
            KeyResult.Revoked => PublishDecision.Refuse($"the publish key of {request.Path} (feed \"{check.Feed!.Name}\") was revoked; make a new one with POST /api/feeds/{check.Feed.Id}/key", unauthorized: true),
            _ when _options.AllowAnonymousPublish || _callbacks.HasPublish => PublishDecision.Allow(),
            _ => PublishDecision.Refuse($"no feed is registered at {request.Path}; create one with POST /api/feeds (and publish with its key), or set LiveRelay:Auth:AllowAnonymousPublish", unauthorized: true),
        };
    }

    public async ValueTask<PublishDecision> AuthorizeAsync(PublishRequest request, CancellationToken cancellationToken)
    {
        var decision = Check(request);
        if (!decision.Allowed || !_callbacks.HasPublish)
        {
            return decision;
        }

        var refusal = await _callbacks.AskPublishAsync(CallbackEvent.Of("publish", request.Path, request.Protocol, request.RemoteAddress, key: request.Key), cancellationToken).ConfigureAwait(false);
        return refusal is null ? decision : PublishDecision.Refuse(refusal);
    }

    public string? PathOfStreamKey(string streamKey) => _keys.FeedOfKey(streamKey)?.Path;

    private void OnDetached(LiveStream stream)
    {
        if (stream.Publisher is { IsInternal: false } publisher && s_published.Contains(publisher.Protocol))
        {
            _callbacks.TellUnpublish(CallbackEvent.Of("unpublish", stream.Path, publisher.Protocol, publisher.RemoteAddress));
        }
    }
}
