namespace LiveRelay.Protocols.WebRtc.Srtp;

/// <summary>What one direction of a session keeps per SSRC.</summary>
internal struct SrtpStream
{
    public uint Ssrc;

    /// <summary>SRTP: the highest index (so the ROC) and, when receiving, the replay window.</summary>
    public SrtpReplayWindow Rtp;

    /// <summary>SRTCP when receiving: the highest index and the replay window.</summary>
    public SrtpReplayWindow Rtcp;

    /// <summary>SRTCP when sending: the last index used (the first packet gets 1, as libsrtp does).</summary>
    public uint RtcpSentIndex;
}

/// <summary>
/// The streams of one context: a fixed array searched linearly (a session has a handful of SSRCs: audio, video,
/// RTX, a few simulcast layers), no growth and no allocation after construction. Full means full: see
/// <see cref="SrtpError.TooManyStreams"/>.
/// </summary>
internal sealed class SrtpStreamTable(int capacity)
{
    private readonly SrtpStream[] _streams = new SrtpStream[capacity];
    private int _last;

    public int Count { get; private set; }

    public bool IsFull => Count == _streams.Length;

    public ref SrtpStream this[int slot] => ref _streams[slot];

    /// <summary>The slot of <paramref name="ssrc"/>, or −1.</summary>
    public int Find(uint ssrc)
    {
        // Packets come in runs from one SSRC: try the last one found first.
        if (_last < Count && _streams[_last].Ssrc == ssrc)
        {
            return _last;
        }

        for (var slot = 0; slot < Count; slot++)
        {
            if (_streams[slot].Ssrc == ssrc)
            {
                _last = slot;
                return slot;
            }
        }

        return -1;
    }

    /// <summary>A new slot for <paramref name="ssrc"/>, or −1 when the table is full.</summary>
    public int Add(uint ssrc)
    {
        if (IsFull)
        {
            return -1;
        }

        _streams[Count] = new SrtpStream { Ssrc = ssrc };
        _last = Count;
        return Count++;
    }
}
