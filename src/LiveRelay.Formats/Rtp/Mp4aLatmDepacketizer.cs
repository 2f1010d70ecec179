using System.Buffers;

namespace LiveRelay.Formats.Rtp;

/// <summary>
/// MP4A-LATM RTP payloads (RFC 6416 §4.3, <c>cpresent=0</c>) to AAC frames. A payload whose packet
/// has the marker bit holds one or more complete AudioMuxElements, or the last fragment of one;
/// payloads without it are collected (up to <see cref="MaxElementLength"/>) until the marker.
/// Each frame is written with a 4-byte big-endian length prefix; <see cref="RtpDepacketizeResult.Nals"/>
/// means frames were written.
/// </summary>
/// <remarks>
/// A sequence gap while collecting drops what was collected. The packet after the gap starts afresh:
/// if it was the middle or end of the broken element, the elements do not fill the payload exactly
/// and are dropped when the marker comes.
/// </remarks>
public sealed class Mp4aLatmDepacketizer
{
    /// <summary>The most bytes collected for fragmented AudioMuxElements.</summary>
    public const int MaxElementLength = 64 * 1024;

    private readonly Mp4aLatmConfig _config;
    private byte[] _element = new byte[4 * 1024];
    private int _length;
    private bool _skipToMarker;
    private ushort _expectedSequence;

    public Mp4aLatmDepacketizer(Mp4aLatmConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        _config = config;
    }

    /// <summary>Payloads or collected fragments dropped: a fragment lost, a limit broken, a malformed element.</summary>
    public long DroppedElements { get; private set; }

    /// <summary>Why the last dropped payload was dropped, for the log.</summary>
    public string? LastError { get; private set; }

    public RtpDepacketizeResult Push(ReadOnlySpan<byte> payload, ushort sequence, bool marker, IBufferWriter<byte> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        var expected = _expectedSequence;
        _expectedSequence = (ushort)(sequence + 1);
        if ((_length > 0 || _skipToMarker) && sequence != expected)
        {
            // A fragment was lost: what was collected cannot be completed.
            if (_length > 0)
            {
                Drop("a fragment was lost");
            }

            _length = 0;
            _skipToMarker = false;
        }

        if (_skipToMarker)
        {
            _skipToMarker = !marker;
            return RtpDepacketizeResult.Dropped;
        }

        if (_length == 0 && marker)
        {
            return Read(payload, frames);
        }

        if (_length + payload.Length > MaxElementLength)
        {
            _length = 0;
            _skipToMarker = !marker;
            return Drop($"fragments longer than {MaxElementLength} bytes");
        }

        if (_length + payload.Length > _element.Length)
        {
            Array.Resize(ref _element, Math.Min(MaxElementLength, Math.Max(_element.Length * 2, _length + payload.Length)));
        }

        payload.CopyTo(_element.AsSpan(_length));
        _length += payload.Length;
        if (!marker)
        {
            return RtpDepacketizeResult.Pending;
        }

        var result = Read(_element.AsSpan(0, _length), frames);
        _length = 0;
        return result;
    }

    private RtpDepacketizeResult Read(ReadOnlySpan<byte> elements, IBufferWriter<byte> frames) =>
        Mp4aLatm.TryReadFrames(elements, _config, frames, out _, out var error)
            ? RtpDepacketizeResult.Nals
            : Drop(error);

    private RtpDepacketizeResult Drop(string? reason)
    {
        DroppedElements++;
        LastError = reason;
        return RtpDepacketizeResult.Dropped;
    }
}
