using System.Buffers.Binary;

namespace LiveRelay.LoadTest.Players;

/// <summary>
/// Tells whether an H.264 RTP payload (RFC 6184, packetization-mode 1) carries the start of an IDR
/// slice, so that a WHEP viewer can time its first keyframe. Looks at NAL headers only.
/// </summary>
internal static class RtpH264Keyframe
{
    private const int Idr = 5;
    private const int StapA = 24;
    private const int FuA = 28;

    //  NAL unit header (RFC 6184 §1.3)     FU header (§5.8)
    //  +---------------+                   +---------------+
    //  |0|1|2|3|4|5|6|7|                   |0|1|2|3|4|5|6|7|
    //  +-+-+-+-+-+-+-+-+                   +-+-+-+-+-+-+-+-+
    //  |F|NRI|  Type   |                   |S|E|R|  Type   |
    //  +---------------+                   +---------------+
    //
    //  Single NAL unit: the NAL itself (type 1–23).
    //  STAP-A (type 24): header | (size 16 | NAL unit) × n.
    //  FU-A (type 28):   FU indicator | FU header | fragment; S marks the first fragment.

    /// <summary>True when the payload is, holds or begins an IDR NAL unit (type 5).</summary>
    public static bool StartsIdr(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return false;
        }

        switch (payload[0] & 0x1F)
        {
            case Idr:
                return true;
            case FuA:
                return payload.Length >= 2 && (payload[1] & 0x80) != 0 && (payload[1] & 0x1F) == Idr;
            case StapA:
                for (var rest = payload[1..]; rest.Length >= 3;)
                {
                    int size = BinaryPrimitives.ReadUInt16BigEndian(rest);
                    if (size == 0 || size > rest.Length - 2)
                    {
                        return false;
                    }

                    if ((rest[2] & 0x1F) == Idr)
                    {
                        return true;
                    }

                    rest = rest[(2 + size)..];
                }

                return false;
            default:
                return false;
        }
    }
}
