using LiveRelay.Protocols.Srt.Native;

namespace LiveRelay.LoadTest.Players;

/// <summary>
/// What libsrt counted on the receiving side of SRT readers (totals since connect, summed over readers):
/// packets received, lost (gaps the receiver saw), retransmitted (arrived again after a NAK) and dropped
/// (too late for the latency, never delivered).
/// </summary>
internal readonly record struct SrtReceiveTotals(long Received, long Lost, long Retransmitted, long Dropped)
{
    public static SrtReceiveTotals Of(in SrtStatistics s) => new(s.PktRecvTotal, s.PktRcvLossTotal, s.PktRcvRetrans, s.PktRcvDropTotal);

    public static SrtReceiveTotals Sum(IEnumerable<SrtPlayer> players)
    {
        var sum = default(SrtReceiveTotals);
        foreach (var player in players)
        {
            sum += player.LinkTotals;
        }

        return sum;
    }

    public static SrtReceiveTotals operator +(SrtReceiveTotals a, SrtReceiveTotals b) =>
        new(a.Received + b.Received, a.Lost + b.Lost, a.Retransmitted + b.Retransmitted, a.Dropped + b.Dropped);

    public static SrtReceiveTotals operator -(SrtReceiveTotals a, SrtReceiveTotals b) =>
        new(a.Received - b.Received, a.Lost - b.Lost, a.Retransmitted - b.Retransmitted, a.Dropped - b.Dropped);
}
