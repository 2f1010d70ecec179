namespace LiveRelay.Protocols.WebRtc.Srtp;

/// <summary>
/// The highest packet index of one stream and a 128-entry sliding window of the indices below it that were accepted
/// (RFC 3711 §3.3.2). Used for the SRTP index (48 bits) and the SRTCP index (31 bits).
/// </summary>
internal struct SrtpReplayWindow
{
    public const int Size = 128;

    /// <summary>Bit k set: index <see cref="Highest"/> − k was accepted.</summary>
    private UInt128 _seen;

    public ulong Highest { get; private set; }

    /// <summary>False until the first index is accepted.</summary>
    public bool Started { get; private set; }

    /// <summary>Whether <paramref name="index"/> may still be accepted; checked before the tag, committed after it.</summary>
    public readonly SrtpError Check(ulong index)
    {
        if (!Started || index > Highest)
        {
            return SrtpError.None;
        }

        var age = Highest - index;
        if (age >= Size)
        {
            return SrtpError.TooOld;
        }

        return ((_seen >> (int)age) & UInt128.One) != UInt128.Zero ? SrtpError.Replayed : SrtpError.None;
    }

    /// <summary>Records <paramref name="index"/>, sliding the window forward when it is the new highest.</summary>
    public void Accept(ulong index)
    {
        if (!Started)
        {
            Started = true;
            Highest = index;
            _seen = UInt128.One;
        }
        else if (index > Highest)
        {
            var shift = index - Highest;
            _seen = shift >= Size ? UInt128.One : (_seen << (int)shift) | UInt128.One;
            Highest = index;
        }
        else if (Highest - index < Size)
        {
            _seen |= UInt128.One << (int)(Highest - index);
        }
    }

    /// <summary>
    /// The 48-bit SRTP packet index (ROC · 2^16 + SEQ) that <paramref name="sequence"/> most likely has (RFC 3711
    /// Appendix A), or −1 when it would fall before the stream's first rollover period. ROC 0 before the first packet.
    /// </summary>
    public readonly long EstimateRtpIndex(ushort sequence)
    {
        if (!Started)
        {
            return sequence;
        }

        var roc = (long)(Highest >> 16);
        int highestSequence = (ushort)Highest;
        var guess = roc;
        if (highestSequence < 32768)
        {
            if (sequence - highestSequence > 32768)
            {
                guess = roc - 1;
            }
        }
        else if (highestSequence - 32768 > sequence)
        {
            guess = roc + 1;
        }

        return guess < 0 ? -1 : (guess << 16) | sequence;
    }
}
