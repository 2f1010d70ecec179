using System.Collections.Concurrent;

namespace LiveRelay.Core.Streams;

/// <summary>
/// Demand: players ask for paths that nobody publishes yet. A source that starts only when wanted
/// (an on-demand pull) registers a handler; players call <see cref="FindOrDemandAsync"/>, which starts
/// it and waits for its first keyframe. Every play request is noted, so such a source can tell when
/// its last player left.
/// </summary>
public sealed partial class StreamHub
{
    /// <summary>How long a player waits for an on-demand source to deliver its first keyframe.</summary>
    public static readonly TimeSpan DemandWait = TimeSpan.FromSeconds(15);

    private readonly ConcurrentDictionary<string, long> _lastDemand = new(StringComparer.Ordinal);

    /// <summary>
    /// Starts whatever publishes <c>path</c> on demand; returns false when nothing does.
    /// Called on the player's thread: it must start the source and return at once.
    /// </summary>
    public Func<string, bool>? DemandHandler { get; set; }

    /// <summary>When a player last asked for <paramref name="path"/> (a <see cref="TimeProvider"/> timestamp), or null.</summary>
    public long? LastDemand(string path) => _lastDemand.TryGetValue(path, out var at) ? at : null;

    /// <summary>Notes a play request for <paramref name="path"/> (HLS players make one every few seconds).</summary>
    public void NoteDemand(string path) => _lastDemand[path] = _time.GetTimestamp();

    /// <summary>
    /// The live stream at <paramref name="path"/>; when nobody publishes it and an on-demand source
    /// exists, starts the source and waits up to <paramref name="wait"/> for its first keyframe.
    /// Null when there is no stream (and none could be started in time).
    /// </summary>
    public async ValueTask<LiveStream?> FindOrDemandAsync(string path, TimeSpan wait, CancellationToken cancellationToken)
    {
        NoteDemand(path);
        var found = Find(path);
        if (found?.SinceLastKeyframe is not null || DemandHandler is not { } handler || !handler(path))
        {
            return found;
        }

        var ready = new TaskCompletionSource<LiveStream>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnKeyframe(LiveStream stream) => ready.TrySetResult(stream);
        void Watch(LiveStream stream)
        {
            stream.KeyframeReceived += OnKeyframe;
            if (stream.SinceLastKeyframe is not null)
            {
                ready.TrySetResult(stream);
            }
        }

        void OnAttached(LiveStream stream, StreamPublisher publisher)
        {
            if (stream.Path == path)
            {
                Watch(stream);
            }
        }

        PublisherAttached += OnAttached;
        if (Find(path) is { } existing)
        {
            Watch(existing);
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(wait);
            return await ready.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Find(path);
        }
        finally
        {
            PublisherAttached -= OnAttached;
            if (Find(path) is { } stream)
            {
                stream.KeyframeReceived -= OnKeyframe;
            }
        }
    }
}
