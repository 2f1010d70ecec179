using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace LiveRelay.Protocols.WebRtc.Stun;

/// <summary>
/// Writes the Binding messages an ICE-lite agent answers with, and the request a controlling test
/// client sends. Attributes go in RFC order with MESSAGE-INTEGRITY next to last (when a key is
/// given) and FINGERPRINT last; padding is zero. Each writer returns the bytes written and throws
/// <see cref="ArgumentException"/> when the destination is too small or an argument is out of range.
/// </summary>
public static class StunWriter
{
    /// <summary>Binding request: method 1, class Request.</summary>
    public const ushort BindingRequest = 0x0001;

    /// <summary>Binding success response: method 1, class SuccessResponse.</summary>
    public const ushort BindingSuccessResponse = 0x0101;

    /// <summary>Binding error response: method 1, class ErrorResponse.</summary>
    public const ushort BindingErrorResponse = 0x0111;

    private const int AttributeHeader = 4;
    private const int IntegritySize = AttributeHeader + 20;
    private const int FingerprintSize = AttributeHeader + 4;
    private const int MaxUsernameBytes = 512;
    private const int MaxReasonBytes = 763;

    /// <summary>
    /// A Binding success response carrying XOR-MAPPED-ADDRESS (IPv4, or IPv6; an IPv4-mapped IPv6
    /// address from a dual-mode socket is written as IPv4), MESSAGE-INTEGRITY keyed with
    /// <paramref name="integrityKey"/> (our password; omitted when empty) and FINGERPRINT.
    /// </summary>
    public static int WriteBindingSuccess(Span<byte> destination, ReadOnlySpan<byte> transactionId, IPEndPoint mapped, ReadOnlySpan<byte> integrityKey)
    {
        ArgumentNullException.ThrowIfNull(mapped);
        CheckTransactionId(transactionId);
        var address = mapped.Address.IsIPv4MappedToIPv6 ? mapped.Address.MapToIPv4() : mapped.Address;
        var addressLength = address.AddressFamily switch
        {
            AddressFamily.InterNetwork => 4,
            AddressFamily.InterNetworkV6 => 16,
            _ => throw new ArgumentException($"address family {address.AddressFamily} is not IPv4 or IPv6", nameof(mapped)),
        };

        var message = Claim(destination, StunMessage.HeaderLength + AttributeHeader + 4 + addressLength + Integrity(integrityKey) + FingerprintSize);
        var offset = WriteHeader(message, BindingSuccessResponse, transactionId);

        var value = AppendAttributeHeader(message, ref offset, StunAttributeType.XorMappedAddress, 4 + addressLength);
        Span<byte> mask = stackalloc byte[16];
        StunMessage.WriteXorMask(mask, transactionId);
        value[0] = 0;
        value[1] = addressLength == 4 ? (byte)0x01 : (byte)0x02;
        BinaryPrimitives.WriteUInt16BigEndian(value[2..], (ushort)(mapped.Port ^ (int)(StunMessage.MagicCookie >> 16)));
        if (!address.TryWriteBytes(value[4..], out _))
        {
            throw new ArgumentException("the mapped address could not be written", nameof(mapped));
        }

        for (var i = 0; i < addressLength; i++)
        {
            value[4 + i] ^= mask[i];
        }

        return Finish(message, offset, integrityKey);
    }

    /// <summary>
    /// A Binding error response with ERROR-CODE (e.g. 400 Bad Request, 401 Unauthorized, 420 Unknown
    /// Attribute, 487 Role Conflict), MESSAGE-INTEGRITY only when <paramref name="integrityKey"/> is
    /// not empty, and FINGERPRINT.
    /// </summary>
    public static int WriteBindingError(Span<byte> destination, ReadOnlySpan<byte> transactionId, int code, string reason, ReadOnlySpan<byte> integrityKey)
    {
        ArgumentNullException.ThrowIfNull(reason);
        CheckTransactionId(transactionId);
        ArgumentOutOfRangeException.ThrowIfLessThan(code, 300);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(code, 699);
        var reasonBytes = Encoding.UTF8.GetByteCount(reason);
        if (reasonBytes > MaxReasonBytes)
        {
            throw new ArgumentException($"the reason phrase is over {MaxReasonBytes} bytes", nameof(reason));
        }

        var message = Claim(destination, StunMessage.HeaderLength + AttributeHeader + Pad(4 + reasonBytes) + Integrity(integrityKey) + FingerprintSize);
        var offset = WriteHeader(message, BindingErrorResponse, transactionId);

        var value = AppendAttributeHeader(message, ref offset, StunAttributeType.ErrorCode, 4 + reasonBytes);
        value[0] = 0;
        value[1] = 0;
        value[2] = (byte)(code / 100);
        value[3] = (byte)(code % 100);
        Encoding.UTF8.GetBytes(reason, value[4..]);

        return Finish(message, offset, integrityKey);
    }

    /// <summary>
    /// A Binding request as a controlling (or controlled) ICE agent sends it: USERNAME
    /// ("theirUfrag:ourUfrag"), PRIORITY, ICE-CONTROLLING or ICE-CONTROLLED with the tie-breaker,
    /// USE-CANDIDATE when nominating, MESSAGE-INTEGRITY keyed with the peer's password (omitted when
    /// empty) and FINGERPRINT.
    /// </summary>
    public static int WriteBindingRequest(
        Span<byte> destination,
        ReadOnlySpan<byte> transactionId,
        string username,
        uint priority,
        ulong tieBreaker,
        bool controlling,
        bool useCandidate,
        ReadOnlySpan<byte> integrityKey)
    {
        ArgumentNullException.ThrowIfNull(username);
        CheckTransactionId(transactionId);
        var usernameBytes = Encoding.UTF8.GetByteCount(username);
        if (usernameBytes > MaxUsernameBytes)
        {
            throw new ArgumentException($"the username is over {MaxUsernameBytes} bytes", nameof(username));
        }

        var length = StunMessage.HeaderLength
            + AttributeHeader + Pad(usernameBytes)
            + AttributeHeader + 4
            + AttributeHeader + 8
            + (useCandidate ? AttributeHeader : 0)
            + Integrity(integrityKey)
            + FingerprintSize;
        var message = Claim(destination, length);
        var offset = WriteHeader(message, BindingRequest, transactionId);

        Encoding.UTF8.GetBytes(username, AppendAttributeHeader(message, ref offset, StunAttributeType.Username, usernameBytes));
        BinaryPrimitives.WriteUInt32BigEndian(AppendAttributeHeader(message, ref offset, StunAttributeType.Priority, 4), priority);
        var role = controlling ? StunAttributeType.IceControlling : StunAttributeType.IceControlled;
        BinaryPrimitives.WriteUInt64BigEndian(AppendAttributeHeader(message, ref offset, role, 8), tieBreaker);
        if (useCandidate)
        {
            AppendAttributeHeader(message, ref offset, StunAttributeType.UseCandidate, 0);
        }

        return Finish(message, offset, integrityKey);
    }

    private static void CheckTransactionId(ReadOnlySpan<byte> transactionId)
    {
        if (transactionId.Length != 12)
        {
            throw new ArgumentException($"a transaction id is 12 bytes, not {transactionId.Length}", nameof(transactionId));
        }
    }

    private static int Pad(int length) => (length + 3) & ~3;

    private static int Integrity(ReadOnlySpan<byte> key) => key.IsEmpty ? 0 : IntegritySize;

    private static Span<byte> Claim(Span<byte> destination, int length)
    {
        if (destination.Length < length)
        {
            throw new ArgumentException($"the message needs {length} bytes, the destination has {destination.Length}", nameof(destination));
        }

        return destination[..length];
    }

    private static int WriteHeader(Span<byte> message, ushort type, ReadOnlySpan<byte> transactionId)
    {
        BinaryPrimitives.WriteUInt16BigEndian(message, type);
        BinaryPrimitives.WriteUInt16BigEndian(message[2..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(message[4..], StunMessage.MagicCookie);
        transactionId.CopyTo(message[8..]);
        return StunMessage.HeaderLength;
    }

    /// <summary>Writes an attribute header, zeroes the padded value and returns the unpadded value to fill.</summary>
    private static Span<byte> AppendAttributeHeader(Span<byte> message, ref int offset, ushort type, int length)
    {
        BinaryPrimitives.WriteUInt16BigEndian(message[offset..], type);
        BinaryPrimitives.WriteUInt16BigEndian(message[(offset + 2)..], (ushort)length);
        var padded = message.Slice(offset + AttributeHeader, Pad(length));
        padded.Clear();
        offset += AttributeHeader + padded.Length;
        return padded[..length];
    }

    /// <summary>Appends MESSAGE-INTEGRITY (when keyed) and FINGERPRINT, each over the message as it stands with the length field counting it.</summary>
    private static int Finish(Span<byte> message, int offset, ReadOnlySpan<byte> integrityKey)
    {
        if (!integrityKey.IsEmpty)
        {
            SetLength(message, offset + IntegritySize);
            var mac = AppendAttributeHeader(message, ref offset, StunAttributeType.MessageIntegrity, 20);
            HMACSHA1.HashData(integrityKey, message[..(offset - IntegritySize)], mac);
        }

        SetLength(message, offset + FingerprintSize);
        var crc = Crc32.Compute(message[..offset]) ^ StunMessage.FingerprintXor;
        BinaryPrimitives.WriteUInt32BigEndian(AppendAttributeHeader(message, ref offset, StunAttributeType.Fingerprint, 4), crc);
        return offset;
    }

    private static void SetLength(Span<byte> message, int total) =>
        BinaryPrimitives.WriteUInt16BigEndian(message[2..], (ushort)(total - StunMessage.HeaderLength));
}
