namespace LiveRelay.Protocols.WebRtc.Srtp;

/// <summary>Why a received SRTP or SRTCP packet was refused; goes to the log and the drop counters.</summary>
public enum SrtpError
{
    None,

    /// <summary>Shorter than a header and the tag, or the CSRC list or header extension runs past the packet.</summary>
    TooShort,

    /// <summary>The authentication tag does not match: a forged, damaged or wrongly keyed packet.</summary>
    AuthenticationFailed,

    /// <summary>This packet index was already accepted (inside the 128-packet replay window).</summary>
    Replayed,

    /// <summary>The packet index is older than the replay window: it can no longer be checked, so it is refused.</summary>
    TooOld,

    /// <summary>
    /// A new SSRC after <see cref="SrtpContext.MaxStreams"/> streams: it is refused, not put in place of an old one,
    /// since forgetting a stream's replay state would let its old packets be replayed.
    /// </summary>
    TooManyStreams,
}
