using LiveRelay.Core.Buffers;

namespace LiveRelay.Core.Media;

/// <summary>
/// Serializes a frame into one egress format's wire bytes, once, for every reader of that format.
/// Implemented by a static-only type so <see cref="MediaFrame.GetEncoded{TEncoder}"/> dispatches without allocation.
/// </summary>
public interface IFrameEncoder
{
    /// <summary>The cache slot of this format.</summary>
    static abstract EncodingSlot Slot { get; }

    /// <summary>Writes the frame's wire form into a new buffer with one reference.</summary>
    static abstract MediaBuffer Encode(MediaFrame frame);
}
