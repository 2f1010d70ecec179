namespace LiveRelay.Core.Streams;

/// <summary>Why a reader's queue was completed.</summary>
public enum ReaderCloseReason
{
    /// <summary>Still open.</summary>
    None,

    /// <summary>The stream ended (publisher gone and the grace period passed).</summary>
    StreamEnded,

    /// <summary>The reader fell behind too often and was cut off.</summary>
    TooSlow,

    /// <summary>The reader's owner closed it.</summary>
    Closed,
}
