using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace LiveRelay.Protocols.WebRtc.Stun;

/// <summary>
/// A decoded STUN message (RFC 5389) with the attributes ICE connectivity checks use (RFC 8445 §7).
/// STUN is not a per-frame path, so a decode allocates. The parser does no I/O and never throws on
/// bad input: <see cref="TryParse"/> returns false with a reason.
/// </summary>
public sealed partial class StunMessage
{
    /// <summary>The fixed header length.</summary>
    public const int HeaderLength = 20;

    /// <summary>The largest datagram accepted. ICE checks are a couple of hundred bytes; anything near an MTU is not ours.</summary>
    public const int MaxLength = 1280;

    /// <summary>The most attributes accepted in one message.</summary>
    public const int MaxAttributes = 32;

    /// <summary>The magic cookie every RFC 5389 message carries at offset 4.</summary>
    public const uint MagicCookie = 0x2112A442;

    /// <summary>The Binding method, the only one ICE uses.</summary>
    public const ushort BindingMethod = 0x001;

    private const int TransactionIdLength = 12;

    private readonly List<StunAttribute> _attributes = [];
    private readonly List<ushort> _unknownRequired = [];

    private StunMessage(ushort type, byte[] transactionId)
    {
        Type = type;
        TransactionId = transactionId;
    }

    /// <summary>The 14-bit message type as on the wire (method and class interleaved).</summary>
    public ushort Type { get; }

    public StunClass Class => (StunClass)(((Type >> 7) & 0b10) | ((Type >> 4) & 0b01));

    /// <summary>The 12-bit method; <see cref="BindingMethod"/> for ICE.</summary>
    public ushort Method => (ushort)((Type & 0x000F) | ((Type & 0x00E0) >> 1) | ((Type & 0x3E00) >> 2));

    /// <summary>The 96-bit transaction id (12 bytes).</summary>
    public byte[] TransactionId { get; }

    /// <summary>USERNAME: for ICE, "receiverUfrag:senderUfrag".</summary>
    public string? Username { get; private set; }

    public string? Software { get; private set; }

    /// <summary>PRIORITY (RFC 8445 §7.1.1).</summary>
    public uint? Priority { get; private set; }

    /// <summary>USE-CANDIDATE present (the controlling agent nominates the pair).</summary>
    public bool UseCandidate { get; private set; }

    /// <summary>ICE-CONTROLLING tie-breaker.</summary>
    public ulong? IceControlling { get; private set; }

    /// <summary>ICE-CONTROLLED tie-breaker.</summary>
    public ulong? IceControlled { get; private set; }

    /// <summary>XOR-MAPPED-ADDRESS, decoded.</summary>
    public IPEndPoint? XorMappedAddress { get; private set; }

    /// <summary>ERROR-CODE: the code (300..699) and the reason phrase.</summary>
    public (int Code, string Reason)? Error { get; private set; }

    public bool HasMessageIntegrity => MessageIntegrityOffset >= 0;

    public bool HasFingerprint { get; private set; }

    /// <summary>Where the MESSAGE-INTEGRITY attribute header starts, or -1.</summary>
    public int MessageIntegrityOffset { get; private set; } = -1;

    /// <summary>Every attribute in wire order, including ones after MESSAGE-INTEGRITY that were otherwise ignored.</summary>
    public IReadOnlyList<StunAttribute> Attributes => _attributes;

    /// <summary>Comprehension-required attribute types (below 0x8000) this parser does not know; a request with any gets a 420.</summary>
    public IReadOnlyList<ushort> UnknownComprehensionRequired => _unknownRequired;

    /// <summary>
    /// Whether a datagram on a shared ICE/DTLS/RTP socket is STUN (RFC 7983 §7 first-byte demux, then
    /// RFC 5389 §6): the two top bits zero, the magic cookie, and a length field that is a multiple of
    /// four and accounts for the whole datagram.
    /// </summary>
    public static bool IsStun(ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length < HeaderLength || (datagram[0] & 0xC0) != 0)
        {
            return false;
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]);
        return BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]) == MagicCookie
            && length % 4 == 0
            && length == datagram.Length - HeaderLength;
    }

    //  0                   1                   2                   3
    //  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    // |0 0|     STUN Message Type     |         Message Length        |
    // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    // |                         Magic Cookie                          |
    // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    // |                                                               |
    // |                     Transaction ID (96 bits)                  |
    // |                                                               |
    // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //
    // Message Type, 14 bits: method M11..M0 with the class bits C1 C0 interleaved.
    //  0                 1
    //  2  3  4 5 6 7 8 9 0 1 2 3 4 5
    // +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
    // |M |M |M|M|M|C|M|M|M|C|M|M|M|M|
    // |11|10|9|8|7|1|6|5|4|0|3|2|1|0|
    // +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
    //
    // Then attributes, each padded to 4 bytes (§15):
    // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    // |         Type                  |            Length             |
    // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    // |                         Value (variable)                ....
    // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

    /// <summary>
    /// Decodes one STUN datagram. Checks the size limit and the header before reading any attribute,
    /// then walks at most <see cref="MaxAttributes"/> attributes whose padded lengths must fit. Attributes
    /// after MESSAGE-INTEGRITY other than FINGERPRINT are kept in <see cref="Attributes"/> but not
    /// interpreted (RFC 5389 §15.4); nothing may follow FINGERPRINT (§15.5). Integrity and fingerprint
    /// are not checked here: see <see cref="VerifyMessageIntegrity"/> and <see cref="VerifyFingerprint"/>.
    /// </summary>
    public static bool TryParse(
        ReadOnlySpan<byte> datagram,
        [NotNullWhen(true)] out StunMessage? message,
        [NotNullWhen(false)] out string? error)
    {
        message = null;
        if (datagram.Length > MaxLength)
        {
            error = $"datagram of {datagram.Length} bytes is over the {MaxLength}-byte limit";
            return false;
        }

        if (!TryReadHeader(datagram, out error))
        {
            return false;
        }

        var parsed = new StunMessage(
            BinaryPrimitives.ReadUInt16BigEndian(datagram),
            datagram.Slice(8, TransactionIdLength).ToArray());
        var offset = HeaderLength;
        while (offset < datagram.Length)
        {
            if (parsed._attributes.Count == MaxAttributes)
            {
                error = $"more than {MaxAttributes} attributes";
                return false;
            }

            if (parsed.HasFingerprint)
            {
                error = "attribute after FINGERPRINT";
                return false;
            }

            if (!TryReadAttributeHeader(datagram, offset, out var type, out var length, out var next, out error))
            {
                return false;
            }

            var value = datagram.Slice(offset + 4, length);
            parsed._attributes.Add(new StunAttribute(type, offset, value.ToArray()));
            if ((!parsed.HasMessageIntegrity || type == StunAttributeType.Fingerprint)
                && !parsed.TryReadAttribute(type, value, offset, out error))
            {
                return false;
            }

            offset = next;
        }

        message = parsed;
        error = null;
        return true;
    }

    private static bool TryReadHeader(ReadOnlySpan<byte> datagram, [NotNullWhen(false)] out string? error)
    {
        if (datagram.Length < HeaderLength)
        {
            error = $"{datagram.Length} bytes is shorter than the {HeaderLength}-byte header";
            return false;
        }

        if ((datagram[0] & 0xC0) != 0)
        {
            error = "the two top bits of the message type are not zero";
            return false;
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]) != MagicCookie)
        {
            error = "no magic cookie";
            return false;
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]);
        if (length % 4 != 0)
        {
            error = $"message length {length} is not a multiple of 4";
            return false;
        }

        if (length != datagram.Length - HeaderLength)
        {
            error = $"message length {length} does not match the {datagram.Length - HeaderLength} bytes after the header";
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>Reads the attribute header at <paramref name="offset"/> and checks its padded value fits.</summary>
    private static bool TryReadAttributeHeader(
        ReadOnlySpan<byte> datagram,
        int offset,
        out ushort type,
        out int length,
        out int next,
        [NotNullWhen(false)] out string? error)
    {
        type = 0;
        length = 0;
        next = offset;
        if (datagram.Length - offset < 4)
        {
            error = "truncated attribute header";
            return false;
        }

        type = BinaryPrimitives.ReadUInt16BigEndian(datagram[offset..]);
        length = BinaryPrimitives.ReadUInt16BigEndian(datagram[(offset + 2)..]);
        var padded = (length + 3) & ~3;
        if (padded > datagram.Length - offset - 4)
        {
            error = $"attribute 0x{type:X4} of {length} bytes runs past the end of the message";
            return false;
        }

        next = offset + 4 + padded;
        error = null;
        return true;
    }

    /// <summary>
    /// Finds the first attribute of a type by walking the attribute headers only (no decoding), with the
    /// same bounds as <see cref="TryParse"/>. For the verifiers, which take the raw datagram.
    /// </summary>
    private static bool TryFindAttribute(ReadOnlySpan<byte> datagram, ushort wanted, out int offset, out int length)
    {
        offset = -1;
        length = 0;
        if (datagram.Length > MaxLength || !TryReadHeader(datagram, out _))
        {
            return false;
        }

        var at = HeaderLength;
        for (var count = 0; at < datagram.Length && count < MaxAttributes; count++)
        {
            if (!TryReadAttributeHeader(datagram, at, out var type, out var valueLength, out var next, out _))
            {
                return false;
            }

            if (type == wanted)
            {
                offset = at;
                length = valueLength;
                return true;
            }

            at = next;
        }

        return false;
    }
}
