namespace LiveRelay.Core.Streams;

/// <summary>Outcome of <see cref="StreamHub.TryPublish"/>.</summary>
public enum PublishStatus
{
    /// <summary>A new stream started.</summary>
    Started,

    /// <summary>A publisher came back within the grace period; the stream continues.</summary>
    Resumed,

    /// <summary>A new publisher replaced the live one (a feed configured for takeover); the stream continues.</summary>
    TookOver,

    /// <summary>Refused: another publisher is live on the path.</summary>
    AlreadyPublishing,

    /// <summary>Refused: <see cref="StreamOptions.MaxPublishers"/> streams are published already.</summary>
    TooManyPublishers,

    /// <summary>Refused: the server is shutting down.</summary>
    ShuttingDown,

    /// <summary>Refused: the path is not a valid stream path.</summary>
    InvalidPath,

    /// <summary>Refused: the path belongs to the server's own outputs (<see cref="StreamOptions.ReservedApps"/>).</summary>
    Reserved,
}
