using System.Buffers.Binary;

namespace LiveRelay.Formats.Rtp;

/// <summary>A reception report block of an SR or RR (RFC 3550 §6.4.1).</summary>
/// <param name="Ssrc">SSRC of the source reported on.</param>
/// <param name="FractionLost">Packets lost since the previous report, as a fraction of 256.</param>
/// <param name="CumulativeLost">Packets lost since reception began, a signed 24-bit number (duplicates can make it negative).</param>
/// <param name="ExtendedHighestSequence">Cycles of the sequence number (high 16 bits) and the highest sequence number received (low 16).</param>
/// <param name="Jitter">Interarrival jitter, in RTP timestamp units.</param>
/// <param name="LastSenderReport">LSR: the middle 32 bits of the last SR's NTP timestamp, 0 when none was received.</param>
/// <param name="DelaySinceLastSenderReport">DLSR: the delay since that SR, in units of 1/65536 s; 0 when none was received.</param>
public readonly record struct RtcpReportBlock(
    uint Ssrc,
    byte FractionLost,
    int CumulativeLost,
    uint ExtendedHighestSequence,
    uint Jitter,
    uint LastSenderReport,
    uint DelaySinceLastSenderReport)
{
    /// <summary>Bytes of one block.</summary>
    public const int Length = 24;

    /// <summary>The largest cumulative loss a block can carry; larger values are clamped.</summary>
    public const int MaxCumulativeLost = 0x7FFFFF;

    /// <summary>The smallest (most negative) cumulative loss a block can carry.</summary>
    public const int MinCumulativeLost = -0x800000;

    //  +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
    //  |                 SSRC_n (SSRC of source n)                     |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  | fraction lost |       cumulative number of packets lost       |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |           extended highest sequence number received           |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |                      interarrival jitter                      |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |                         last SR (LSR)                         |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |                   delay since last SR (DLSR)                  |
    //  +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
    internal static RtcpReportBlock Read(ReadOnlySpan<byte> block)
    {
        var lost = BinaryPrimitives.ReadInt32BigEndian(block[4..]) << 8 >> 8; // sign-extend 24 bits
        return new RtcpReportBlock(
            BinaryPrimitives.ReadUInt32BigEndian(block),
            block[4],
            lost,
            BinaryPrimitives.ReadUInt32BigEndian(block[8..]),
            BinaryPrimitives.ReadUInt32BigEndian(block[12..]),
            BinaryPrimitives.ReadUInt32BigEndian(block[16..]),
            BinaryPrimitives.ReadUInt32BigEndian(block[20..]));
    }

    internal void Write(Span<byte> destination)
    {
        var lost = Math.Clamp(CumulativeLost, MinCumulativeLost, MaxCumulativeLost);
        BinaryPrimitives.WriteUInt32BigEndian(destination, Ssrc);
        BinaryPrimitives.WriteInt32BigEndian(destination[4..], (FractionLost << 24) | (lost & 0xFFFFFF));
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], ExtendedHighestSequence);
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], Jitter);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], LastSenderReport);
        BinaryPrimitives.WriteUInt32BigEndian(destination[20..], DelaySinceLastSenderReport);
    }
}

/// <summary>The report blocks of an SR or RR, read on access.</summary>
public readonly ref struct RtcpReportBlocks
{
    private readonly ReadOnlySpan<byte> _blocks;

    internal RtcpReportBlocks(ReadOnlySpan<byte> blocks)
    {
        _blocks = blocks;
    }

    public int Count => _blocks.Length / RtcpReportBlock.Length;

    public RtcpReportBlock this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            return RtcpReportBlock.Read(_blocks.Slice(index * RtcpReportBlock.Length, RtcpReportBlock.Length));
        }
    }
}

/// <summary>An RTCP sender report (RFC 3550 §6.4.1): what maps the sender's RTP timestamps to wall-clock time.</summary>
public readonly ref struct RtcpSenderReport
{
    // The sender's SSRC and the sender info: NTP timestamp, RTP timestamp, packet and octet counts.
    private const int SenderInfoLength = 24;

    private RtcpSenderReport(ReadOnlySpan<byte> body, int blocks)
    {
        Ssrc = BinaryPrimitives.ReadUInt32BigEndian(body);
        NtpTimestamp = BinaryPrimitives.ReadUInt64BigEndian(body[4..]);
        RtpTimestamp = BinaryPrimitives.ReadUInt32BigEndian(body[12..]);
        PacketCount = BinaryPrimitives.ReadUInt32BigEndian(body[16..]);
        OctetCount = BinaryPrimitives.ReadUInt32BigEndian(body[20..]);
        Blocks = new RtcpReportBlocks(body.Slice(SenderInfoLength, blocks * RtcpReportBlock.Length));
    }

    /// <summary>SSRC of the sender.</summary>
    public uint Ssrc { get; }

    /// <summary>The wall-clock time the report was sent, 64-bit NTP (see <see cref="NtpTime"/>).</summary>
    public ulong NtpTimestamp { get; }

    /// <summary>The same instant in the sender's RTP timestamp units.</summary>
    public uint RtpTimestamp { get; }

    /// <summary>RTP data packets sent since the start of transmission.</summary>
    public uint PacketCount { get; }

    /// <summary>RTP payload octets sent since the start of transmission.</summary>
    public uint OctetCount { get; }

    /// <summary>Reception reports about the sources the sender hears.</summary>
    public RtcpReportBlocks Blocks { get; }

    //   0                   1                   2                   3
    //   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |V=2|P|    RC   |   PT=SR=200   |             length            |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |                         SSRC of sender                        |
    //  +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
    //  |              NTP timestamp, most significant word             |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |             NTP timestamp, least significant word             |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |                         RTP timestamp                         |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |                     sender's packet count                     |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |                      sender's octet count                     |
    //  +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
    //  |                 report block × RC (24 bytes each)             |
    //  +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
    //  |                  profile-specific extensions                  |
    /// <summary>False (with the reason) when the packet is not an SR or its body is shorter than RC says.</summary>
    public static bool TryRead(RtcpPacket packet, out RtcpSenderReport report, out string? error)
    {
        report = default;
        if (packet.PacketType != RtcpPacketType.SenderReport)
        {
            error = $"RTCP packet type {packet.PacketType}, not SR (200)";
            return false;
        }

        if (packet.Body.Length < SenderInfoLength + (packet.Count * RtcpReportBlock.Length))
        {
            error = $"an SR body of {packet.Body.Length} bytes is too short for the sender info and {packet.Count} report blocks";
            return false;
        }

        report = new RtcpSenderReport(packet.Body, packet.Count);
        error = null;
        return true;
    }
}

/// <summary>An RTCP receiver report (RFC 3550 §6.4.2): reception statistics from a receiver that does not send.</summary>
public readonly ref struct RtcpReceiverReport
{
    /// <summary>Report blocks in one RR: the 5-bit count's maximum.</summary>
    public const int MaxBlocks = 31;

    private RtcpReceiverReport(ReadOnlySpan<byte> body, int blocks)
    {
        Ssrc = BinaryPrimitives.ReadUInt32BigEndian(body);
        Blocks = new RtcpReportBlocks(body.Slice(4, blocks * RtcpReportBlock.Length));
    }

    /// <summary>SSRC of the packet sender (the receiver reporting).</summary>
    public uint Ssrc { get; }

    /// <summary>Reception reports about the sources heard.</summary>
    public RtcpReportBlocks Blocks { get; }

    /// <summary>Bytes an RR with <paramref name="blocks"/> report blocks takes.</summary>
    public static int GetLength(int blocks) => RtcpPacket.HeaderLength + 4 + (blocks * RtcpReportBlock.Length);

    //   0                   1                   2                   3
    //   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |V=2|P|    RC   |   PT=RR=201   |             length            |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |                     SSRC of packet sender                     |
    //  +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
    //  |                 report block × RC (24 bytes each)             |
    //  +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
    //  |                  profile-specific extensions                  |
    /// <summary>False (with the reason) when the packet is not an RR or its body is shorter than RC says.</summary>
    public static bool TryRead(RtcpPacket packet, out RtcpReceiverReport report, out string? error)
    {
        report = default;
        if (packet.PacketType != RtcpPacketType.ReceiverReport)
        {
            error = $"RTCP packet type {packet.PacketType}, not RR (201)";
            return false;
        }

        if (packet.Body.Length < 4 + (packet.Count * RtcpReportBlock.Length))
        {
            error = $"an RR body of {packet.Body.Length} bytes is too short for the SSRC and {packet.Count} report blocks";
            return false;
        }

        report = new RtcpReceiverReport(packet.Body, packet.Count);
        error = null;
        return true;
    }

    /// <summary>
    /// Writes an RR from <paramref name="ssrc"/> with the given report blocks (0 to <see cref="MaxBlocks"/>).
    /// False, having written nothing, when <paramref name="destination"/> is shorter than <see cref="GetLength"/>.
    /// </summary>
    public static bool TryWrite(Span<byte> destination, uint ssrc, ReadOnlySpan<RtcpReportBlock> blocks, out int written)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(blocks.Length, MaxBlocks, nameof(blocks));
        written = 0;
        var length = GetLength(blocks.Length);
        if (destination.Length < length)
        {
            return false;
        }

        destination[0] = (byte)(0x80 | blocks.Length);
        destination[1] = RtcpPacketType.ReceiverReport;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)((length / 4) - 1));
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ssrc);
        for (var i = 0; i < blocks.Length; i++)
        {
            blocks[i].Write(destination.Slice(8 + (i * RtcpReportBlock.Length), RtcpReportBlock.Length));
        }

        written = length;
        return true;
    }

    /// <summary>Writes an RR from <paramref name="ssrc"/> with one report block.</summary>
    public static bool TryWrite(Span<byte> destination, uint ssrc, RtcpReportBlock block, out int written) =>
        TryWrite(destination, ssrc, [block], out written);
}
