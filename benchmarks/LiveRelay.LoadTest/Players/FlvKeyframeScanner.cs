using System.Buffers.Binary;
using LiveRelay.Formats.Flv;

namespace LiveRelay.LoadTest.Players;

/// <summary>
/// Finds the first AVC keyframe in an FLV byte stream fed in arbitrary pieces, keeping only a
/// few bytes of state: it reads each tag's header and the first two body bytes and skips the
/// rest, so a 200 kB keyframe never has to sit in a buffer. Pure: no I/O.
/// </summary>
/// <remarks>
/// <code>
///  FLV header (9, DataOffset says where tags start) | PreviousTagSize0 (4)
///  tag: type 1 | DataSize 3 | timestamp 3 + ext 1 | stream id 3 | body DataSize | PreviousTagSize 4
///  video body: FrameType 4 bits (1 = key) | CodecID 4 bits (7 = AVC) | AVCPacketType 1 (1 = NALU)
/// </code>
/// </remarks>
internal sealed class FlvKeyframeScanner
{
    private const int VideoProbeLength = 2;

    private readonly byte[] _scratch = new byte[FlvTag.HeaderLength + VideoProbeLength];
    private State _state = State.FileHeader;
    private int _have;
    private long _skip;
    private int _dataSize;

    private enum State
    {
        FileHeader,
        TagHeader,
        VideoProbe,
        Skip,
        Found,
    }

    /// <summary>True once the first AVC keyframe's first body bytes have been seen.</summary>
    public bool Found => _state == State.Found;

    /// <summary>Consumes <paramref name="data"/>; returns true when the keyframe is in it (or was before).</summary>
    /// <exception cref="FlvFormatException">The stream is not FLV.</exception>
    public bool Feed(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty && _state != State.Found)
        {
            switch (_state)
            {
                case State.FileHeader:
                    if (!Fill(ref data, FlvHeader.Length))
                    {
                        break;
                    }

                    FlvHeader.TryRead(_scratch.AsSpan(0, FlvHeader.Length), out _, out _, out var dataOffset);
                    Skip(dataOffset - FlvHeader.Length + FlvTag.PreviousTagSizeLength);
                    break;

                case State.TagHeader:
                    if (!Fill(ref data, FlvTag.HeaderLength))
                    {
                        break;
                    }

                    var type = (FlvTagType)(_scratch[0] & 0x1F);
                    _dataSize = (int)(BinaryPrimitives.ReadUInt32BigEndian(_scratch) & 0xFF_FFFF);
                    if (type == FlvTagType.Video && _dataSize >= VideoProbeLength)
                    {
                        _state = State.VideoProbe;
                    }
                    else
                    {
                        Skip(_dataSize + FlvTag.PreviousTagSizeLength);
                    }

                    break;

                case State.VideoProbe:
                    if (!Fill(ref data, FlvTag.HeaderLength + VideoProbeLength))
                    {
                        break;
                    }

                    if (_scratch[FlvTag.HeaderLength] == 0x17 && _scratch[FlvTag.HeaderLength + 1] == 0x01)
                    {
                        _state = State.Found;
                        return true;
                    }

                    Skip(_dataSize - VideoProbeLength + FlvTag.PreviousTagSizeLength);
                    break;

                case State.Skip:
                    var take = (int)Math.Min(_skip, data.Length);
                    data = data[take..];
                    _skip -= take;
                    if (_skip == 0)
                    {
                        _state = State.TagHeader;
                        _have = 0;
                    }

                    break;
            }
        }

        return _state == State.Found;
    }

    /// <summary>Copies bytes into the scratch until it holds <paramref name="length"/>; true when it does.</summary>
    private bool Fill(ref ReadOnlySpan<byte> data, int length)
    {
        var take = Math.Min(length - _have, data.Length);
        data[..take].CopyTo(_scratch.AsSpan(_have));
        data = data[take..];
        _have += take;
        return _have == length;
    }

    private void Skip(long count)
    {
        _have = 0;
        _skip = count;
        _state = count > 0 ? State.Skip : State.TagHeader;
    }
}
