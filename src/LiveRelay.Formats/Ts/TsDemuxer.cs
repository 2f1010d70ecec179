using LiveRelay.Core.Media;

namespace LiveRelay.Formats.Ts;

/// <summary>
/// A push-mode MPEG-TS demuxer for one program. Feed it byte chunks of any size; it finds packet
/// alignment, follows PAT/PMT, reassembles PES packets and hands out access units in the media model:
/// H.264 and H.265 as 4-byte length-prefixed NAL units, AAC as raw frames, timestamps on <see cref="MediaClock"/>
/// unfolded from 33 bits into one monotonic timeline. No I/O; internal buffering is bounded.
/// </summary>
/// <remarks>
/// Each frame passed to the callback has a reference count of one and belongs to the callback,
/// which must <see cref="MediaFrame.Release"/> it (or hand it on) exactly once.
/// Not thread-safe: one connection loop pushes into one demuxer.
/// </remarks>
public sealed partial class TsDemuxer
{
    /// <summary>Default upper bound for one reassembled PES packet.</summary>
    public const int DefaultMaxPesLength = 8 * 1024 * 1024;

    private const int BufferCapacity = 64 * TsPacket.Length;
    private const int NullPid = 0x1FFF;

    private readonly Action<TrackInfo, MediaFrame> _onFrame;
    private readonly int _maxPesLength;
    private readonly byte[] _buffer = new byte[BufferCapacity];
    private int _buffered;
    private bool _synced;

    /// <param name="onFrame">Receives each complete access unit with its track; owns the frame.</param>
    /// <param name="maxPesLength">PES packets larger than this are dropped and counted in <see cref="DroppedPes"/>.</param>
    public TsDemuxer(Action<TrackInfo, MediaFrame> onFrame, int maxPesLength = DefaultMaxPesLength)
    {
        ArgumentNullException.ThrowIfNull(onFrame);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPesLength, TsPacket.Length);
        _onFrame = onFrame;
        _maxPesLength = maxPesLength;
    }

    /// <summary>Raised once per (PID, stream_type) the demuxer does not carry, e.g. private data (0x06) or MPEG-2 video (0x02).</summary>
    public event Action<int, int>? UnsupportedStream;

    /// <summary>Transport packets that started with a sync byte and were looked at.</summary>
    public long PacketsRead { get; private set; }

    /// <summary>Packets whose continuity_counter did not follow the previous one on the same PID.</summary>
    public long ContinuityErrors { get; private set; }

    /// <summary>PES packets thrown away: broken by a continuity error, over the size bound, or malformed.</summary>
    public long DroppedPes { get; private set; }

    /// <summary>Bytes skipped while looking for packet alignment.</summary>
    public long BytesSkipped { get; private set; }

    /// <summary>Video access units dropped because no parameter sets (SPS/PPS, and the VPS for H.265) had been seen yet.</summary>
    public long FramesBeforeConfig { get; private set; }

    /// <summary>True once a PMT for the program announced in the PAT has been read.</summary>
    public bool HasProgram => _pmtVersion >= 0;

    /// <summary>Adds bytes of a transport stream; they need not be packet aligned.</summary>
    public void Push(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var count = Math.Min(BufferCapacity - _buffered, data.Length);
            data[..count].CopyTo(_buffer.AsSpan(_buffered));
            _buffered += count;
            data = data[count..];
            ProcessBuffer();
        }
    }

    /// <summary>Completes PES packets that only end at the next unit start (video with PES_packet_length 0), e.g. at end of stream.</summary>
    public void Flush()
    {
        foreach (var stream in _streams.Values)
        {
            CompletePes(stream);
        }
    }

    // Alignment: out of sync, a 0x47 counts only when another 0x47 follows 188 bytes later, so the
    // result does not depend on how the input was chunked. In sync, every packet must start with 0x47.
    private void ProcessBuffer()
    {
        var position = 0;
        while (true)
        {
            var available = _buffered - position;
            if (!_synced)
            {
                var index = _buffer.AsSpan(position, available).IndexOf(TsPacket.SyncByte);
                if (index < 0)
                {
                    BytesSkipped += available;
                    position = _buffered;
                    break;
                }

                BytesSkipped += index;
                position += index;
                if (_buffered - position <= TsPacket.Length)
                {
                    break;
                }

                if (_buffer[position + TsPacket.Length] != TsPacket.SyncByte)
                {
                    BytesSkipped++;
                    position++;
                    continue;
                }

                _synced = true;
                continue;
            }

            if (available < TsPacket.Length)
            {
                break;
            }

            if (_buffer[position] != TsPacket.SyncByte)
            {
                _synced = false;
                continue;
            }

            ProcessPacket(_buffer.AsSpan(position, TsPacket.Length));
            position += TsPacket.Length;
        }

        _buffer.AsSpan(position, _buffered - position).CopyTo(_buffer);
        _buffered -= position;
    }

    private void ProcessPacket(ReadOnlySpan<byte> packet)
    {
        PacketsRead++;
        if (!TsPacketReader.TryReadPacket(packet, out var header) || header.Pid == NullPid)
        {
            return;
        }

        var transportError = (packet[1] & 0x80) != 0;
        if (header.Pid == TsPacket.PatPid || header.Pid == _pmtPid)
        {
            var section = header.Pid == TsPacket.PatPid ? _pat : _pmt;
            if (transportError || !section.Continuity.Accept(header))
            {
                if (!transportError)
                {
                    ContinuityErrors++;
                }

                section.Reset();
                return;
            }

            if (section.Continuity.IsDuplicate)
            {
                return;
            }

            OnSectionPayload(section, header, TsPacketReader.GetPayload(packet, header));
            return;
        }

        if (!_streams.TryGetValue(header.Pid, out var stream))
        {
            return;
        }

        if (transportError || !stream.Continuity.Accept(header))
        {
            if (!transportError)
            {
                ContinuityErrors++;
            }

            DropPes(stream);
            return;
        }

        if (!stream.Continuity.IsDuplicate)
        {
            OnPesPayload(stream, header, TsPacketReader.GetPayload(packet, header));
        }
    }
}
