using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Text;
using System.Text.Unicode;

namespace LiveRelay.Protocols.WebRtc.Stun;

public sealed partial class StunMessage
{
    /// <summary>USERNAME is under 513 bytes (RFC 5389 §15.3).</summary>
    private const int MaxUsernameBytes = 512;

    /// <summary>Reason phrases and SOFTWARE are under 128 characters, at most 763 bytes (§15.6, §15.10).</summary>
    private const int MaxTextBytes = 763;

    private const int MessageIntegrityLength = 20;

    /// <summary>Decodes one attribute value; the first occurrence of each kind wins.</summary>
    private bool TryReadAttribute(ushort type, ReadOnlySpan<byte> value, int offset, [NotNullWhen(false)] out string? error)
    {
        error = null;
        switch (type)
        {
            case StunAttributeType.Username:
                if (value.Length > MaxUsernameBytes || !Utf8.IsValid(value))
                {
                    error = "USERNAME is too long or not UTF-8";
                    return false;
                }

                Username ??= Encoding.UTF8.GetString(value);
                return true;

            case StunAttributeType.Software:
                if (value.Length > MaxTextBytes)
                {
                    error = "SOFTWARE is too long";
                    return false;
                }

                Software ??= Encoding.UTF8.GetString(value);
                return true;

            case StunAttributeType.Priority:
                if (!HasLength(type, value, 4, out error))
                {
                    return false;
                }

                Priority ??= BinaryPrimitives.ReadUInt32BigEndian(value);
                return true;

            case StunAttributeType.UseCandidate:
                if (!HasLength(type, value, 0, out error))
                {
                    return false;
                }

                UseCandidate = true;
                return true;

            case StunAttributeType.IceControlling:
                if (!HasLength(type, value, 8, out error))
                {
                    return false;
                }

                IceControlling ??= BinaryPrimitives.ReadUInt64BigEndian(value);
                return true;

            case StunAttributeType.IceControlled:
                if (!HasLength(type, value, 8, out error))
                {
                    return false;
                }

                IceControlled ??= BinaryPrimitives.ReadUInt64BigEndian(value);
                return true;

            case StunAttributeType.XorMappedAddress:
                if (!TryReadXorAddress(value, TransactionId, out var endPoint, out error))
                {
                    return false;
                }

                XorMappedAddress ??= endPoint;
                return true;

            case StunAttributeType.ErrorCode:
                if (!TryReadErrorCode(value, out var code, out error))
                {
                    return false;
                }

                Error ??= code;
                return true;

            case StunAttributeType.MessageIntegrity:
                if (!HasLength(type, value, MessageIntegrityLength, out error))
                {
                    return false;
                }

                MessageIntegrityOffset = offset;
                return true;

            case StunAttributeType.Fingerprint:
                if (!HasLength(type, value, 4, out error))
                {
                    return false;
                }

                HasFingerprint = true;
                return true;

            default:
                if (type < 0x8000 && !_unknownRequired.Contains(type))
                {
                    _unknownRequired.Add(type);
                }

                return true;
        }
    }

    private static bool HasLength(ushort type, ReadOnlySpan<byte> value, int expected, [NotNullWhen(false)] out string? error)
    {
        error = value.Length == expected ? null : $"attribute 0x{type:X4} has {value.Length} bytes, expected {expected}";
        return error is null;
    }

    //  0                   1                   2                   3
    //  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    // |x x x x x x x x|    Family     |         X-Port                |
    // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    // |                X-Address (32 bits or 128 bits)                |
    // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    // Family 0x01 IPv4, 0x02 IPv6. X-Port is the port XOR the cookie's top 16 bits; X-Address is the
    // address XOR the cookie (IPv4) or XOR the cookie followed by the transaction id (IPv6).
    internal static bool TryReadXorAddress(
        ReadOnlySpan<byte> value,
        ReadOnlySpan<byte> transactionId,
        [NotNullWhen(true)] out IPEndPoint? endPoint,
        [NotNullWhen(false)] out string? error)
    {
        endPoint = null;
        if (value.Length < 4)
        {
            error = "XOR-MAPPED-ADDRESS is too short";
            return false;
        }

        var addressLength = value[1] switch { 0x01 => 4, 0x02 => 16, _ => 0 };
        if (addressLength == 0 || value.Length != 4 + addressLength)
        {
            error = $"XOR-MAPPED-ADDRESS family 0x{value[1]:X2} with {value.Length} bytes";
            return false;
        }

        Span<byte> mask = stackalloc byte[16];
        WriteXorMask(mask, transactionId);
        Span<byte> address = stackalloc byte[16];
        for (var i = 0; i < addressLength; i++)
        {
            address[i] = (byte)(value[4 + i] ^ mask[i]);
        }

        var port = BinaryPrimitives.ReadUInt16BigEndian(value[2..]) ^ (int)(MagicCookie >> 16);
        endPoint = new IPEndPoint(new IPAddress(address[..addressLength]), port);
        error = null;
        return true;
    }

    /// <summary>The 16-byte XOR mask: the magic cookie followed by the transaction id.</summary>
    internal static void WriteXorMask(Span<byte> mask, ReadOnlySpan<byte> transactionId)
    {
        BinaryPrimitives.WriteUInt32BigEndian(mask, MagicCookie);
        transactionId[..TransactionIdLength].CopyTo(mask[4..]);
    }

    //  0                   1                   2                   3
    //  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    // |           Reserved, should be 0         |Class|     Number    |
    // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    // |      Reason Phrase (variable)                                ..
    // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    // Code = Class * 100 + Number, Class 3..6, Number 0..99.
    private static bool TryReadErrorCode(ReadOnlySpan<byte> value, out (int Code, string Reason) code, [NotNullWhen(false)] out string? error)
    {
        code = default;
        if (value.Length < 4 || value.Length > 4 + MaxTextBytes)
        {
            error = $"ERROR-CODE of {value.Length} bytes";
            return false;
        }

        var errorClass = value[2] & 0x07;
        var number = value[3];
        var reason = value[4..];
        if (errorClass is < 3 or > 6 || number > 99 || !Utf8.IsValid(reason))
        {
            error = $"ERROR-CODE class {errorClass} number {number} is not a valid code, or the reason is not UTF-8";
            return false;
        }

        code = (errorClass * 100 + number, Encoding.UTF8.GetString(reason));
        error = null;
        return true;
    }
}
