using System.Buffers;
using System.Buffers.Binary;

namespace LiveRelay.Formats.Rtp;

/// <summary>What one RTP payload gave.</summary>
public enum RtpDepacketizeResult
{
    /// <summary>NAL units were written.</summary>
    Nals,

    /// <summary>Part of a fragmented NAL unit was kept; nothing written yet.</summary>
    Pending,

    /// <summary>The payload was dropped (a fragment after a loss, an unsupported or malformed packet).</summary>
    Dropped,
}

/// <summary>
/// H.264 over RTP (RFC 6184), packetization modes 0 and 1: single NAL unit packets, STAP-A and FU-A.
/// Writes each complete NAL unit with a 4-byte big-endian length prefix (the core's H.264 form).
/// A lost packet inside a fragmented unit drops that unit, not the stream. Fragments are collected in
/// a buffer that grows up to <see cref="MaxNalLength"/> and is reused.
/// </summary>
public sealed class H264RtpDepacketizer
{
    /// <summary>The largest NAL unit reassembled from fragments.</summary>
    public const int MaxNalLength = 4 * 1024 * 1024;

    private const int StapA = 24;
    private const int FuA = 28;

    private byte[] _fragment = new byte[64 * 1024];
    private int _fragmentLength = -1;
    private ushort _expectedSequence;

    /// <summary>NAL units dropped because a fragment was lost or broke a limit.</summary>
    public long DroppedNals { get; private set; }

    public RtpDepacketizeResult Push(ReadOnlySpan<byte> payload, ushort sequence, IBufferWriter<byte> nals)
    {
        ArgumentNullException.ThrowIfNull(nals);
        if (payload.IsEmpty)
        {
            return RtpDepacketizeResult.Dropped;
        }

        var type = payload[0] & 0x1F;
        switch (type)
        {
            case >= 1 and <= 23:
                AbandonFragment();
                WriteNal(nals, payload);
                return RtpDepacketizeResult.Nals;
            case StapA:
                AbandonFragment();
                return ReadAggregate(payload[1..], nals);
            case FuA:
                return ReadFragment(payload, sequence, nals);
            default:
                AbandonFragment();
                return RtpDepacketizeResult.Dropped;
        }
    }

    //  STAP-A: [header: F|NRI|24] then repeated { NALU size (16) | NALU }
    private static RtpDepacketizeResult ReadAggregate(ReadOnlySpan<byte> units, IBufferWriter<byte> nals)
    {
        // Validate first so that a broken aggregate writes nothing.
        var rest = units;
        var count = 0;
        while (rest.Length >= 2)
        {
            var size = BinaryPrimitives.ReadUInt16BigEndian(rest);
            if (size == 0 || size > rest.Length - 2)
            {
                return RtpDepacketizeResult.Dropped;
            }

            rest = rest[(2 + size)..];
            count++;
        }

        if (count == 0 || !rest.IsEmpty)
        {
            return RtpDepacketizeResult.Dropped;
        }

        while (!units.IsEmpty)
        {
            var size = BinaryPrimitives.ReadUInt16BigEndian(units);
            WriteNal(nals, units.Slice(2, size));
            units = units[(2 + size)..];
        }

        return RtpDepacketizeResult.Nals;
    }

    //  FU-A: [indicator: F|NRI|28] [header: S|E|R|type] fragment...
    private RtpDepacketizeResult ReadFragment(ReadOnlySpan<byte> payload, ushort sequence, IBufferWriter<byte> nals)
    {
        if (payload.Length < 3)
        {
            AbandonFragment();
            return RtpDepacketizeResult.Dropped;
        }

        var start = (payload[1] & 0x80) != 0;
        var end = (payload[1] & 0x40) != 0;
        var body = payload[2..];
        if (start)
        {
            AbandonFragment();
            _fragment[0] = (byte)((payload[0] & 0xE0) | (payload[1] & 0x1F));
            _fragmentLength = 1;
        }
        else if (_fragmentLength < 0 || sequence != _expectedSequence)
        {
            // The start or a middle part was lost: this unit cannot be rebuilt.
            AbandonFragment();
            return RtpDepacketizeResult.Dropped;
        }

        if (_fragmentLength + body.Length > MaxNalLength)
        {
            AbandonFragment();
            return RtpDepacketizeResult.Dropped;
        }

        if (_fragmentLength + body.Length > _fragment.Length)
        {
            Array.Resize(ref _fragment, Math.Min(MaxNalLength, Math.Max(_fragment.Length * 2, _fragmentLength + body.Length)));
        }

        body.CopyTo(_fragment.AsSpan(_fragmentLength));
        _fragmentLength += body.Length;
        _expectedSequence = (ushort)(sequence + 1);
        if (!end)
        {
            return RtpDepacketizeResult.Pending;
        }

        WriteNal(nals, _fragment.AsSpan(0, _fragmentLength));
        _fragmentLength = -1;
        return RtpDepacketizeResult.Nals;
    }

    private void AbandonFragment()
    {
        if (_fragmentLength >= 0)
        {
            DroppedNals++;
            _fragmentLength = -1;
        }
    }

    private static void WriteNal(IBufferWriter<byte> output, ReadOnlySpan<byte> nal)
    {
        var span = output.GetSpan(4 + nal.Length);
        BinaryPrimitives.WriteInt32BigEndian(span, nal.Length);
        nal.CopyTo(span[4..]);
        output.Advance(4 + nal.Length);
    }
}
