namespace LiveRelay.LoadTest.Players;

/// <summary>
/// What WHEP viewers received since they connected, summed over viewers: SRTP packets (RTP of both
/// tracks), whole video frames (RTP marker bit on the video payload type), video packets missing by
/// sequence number (lost on the way or in the socket buffer: this client sends no NACK), and packets
/// that failed SRTP or RTP checks.
/// </summary>
internal readonly record struct WhepReceiveTotals(long Packets, long VideoFrames, long VideoLost, long Rejected)
{
    public static WhepReceiveTotals Sum(IEnumerable<WhepPlayer> players)
    {
        var sum = default(WhepReceiveTotals);
        foreach (var player in players)
        {
            sum += player.Totals;
        }

        return sum;
    }

    public static WhepReceiveTotals operator +(WhepReceiveTotals a, WhepReceiveTotals b) =>
        new(a.Packets + b.Packets, a.VideoFrames + b.VideoFrames, a.VideoLost + b.VideoLost, a.Rejected + b.Rejected);

    public static WhepReceiveTotals operator -(WhepReceiveTotals a, WhepReceiveTotals b) =>
        new(a.Packets - b.Packets, a.VideoFrames - b.VideoFrames, a.VideoLost - b.VideoLost, a.Rejected - b.Rejected);
}
