namespace LiveRelay.Core.Streams;

/// <summary>Life cycle of a live stream.</summary>
public enum StreamState
{
    /// <summary>A publisher is sending.</summary>
    Live,

    /// <summary>The publisher left; readers wait for it to come back within the grace period.</summary>
    Waiting,

    /// <summary>The stream is over; readers were completed.</summary>
    Ended,
}
