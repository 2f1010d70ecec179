using System.Buffers.Binary;

namespace LiveRelay.Protocols.WebRtc.Srtp;

/// <summary>
/// The SRTP key derivation (RFC 3711 §4.3) with key_derivation_rate 0, the only rate DTLS-SRTP uses (RFC 5764 §4.1.2):
/// each session key is the AES-CM PRF keyed by the master key, with IV = ((label || 0^48) XOR master_salt) * 2^16.
/// </summary>
internal static class SrtpKeyDerivation
{
    public const byte RtpEncryption = 0x00;
    public const byte RtpAuthentication = 0x01;
    public const byte RtpSalt = 0x02;
    public const byte RtcpEncryption = 0x03;
    public const byte RtcpAuthentication = 0x04;
    public const byte RtcpSalt = 0x05;

    //  key_id = label (8) || index DIV kdr (48) is XORed into the low 56 bits of the 112-bit master salt, so the
    //  label lands on octet 7; "* 2^16" leaves the last two octets of the AES input block for the block counter:
    //
    //   0                   7                          13  14  15
    //  +---+---+---+---+---+---+---+---+---+---+---+---+---+---+---+---+
    //  |        master salt    ^label   (index DIV kdr = 0)    |  j    |
    //  +---+---+---+---+---+---+---+---+---+---+---+---+---+---+---+---+
    //
    //  A 96-bit GCM master salt sits in octets 0..11, zero to its right, as libsrtp lays it (RFC 7714 §11).

    /// <summary>Fills <paramref name="output"/> with PRF_n(master key, label) for n = its length.</summary>
    public static void Derive(AesCounterMode prf, ReadOnlySpan<byte> masterSalt, byte label, Span<byte> output)
    {
        Span<byte> iv = stackalloc byte[AesCounterMode.BlockLength];
        iv.Clear();
        masterSalt.CopyTo(iv);
        iv[7] ^= label;
        output.Clear();
        prf.Apply(BinaryPrimitives.ReadUInt128BigEndian(iv), output);
    }
}
