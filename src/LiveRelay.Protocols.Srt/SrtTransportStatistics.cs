using LiveRelay.Core.Diagnostics;
using LiveRelay.Core.Streams;
using LiveRelay.Protocols.Srt.Native;

namespace LiveRelay.Protocols.Srt;

/// <summary>
/// libsrt's statistics of one connection, as the API shows them (<see cref="Snapshot"/>) and as
/// metrics count them (<see cref="Sample"/>, once a second from the SRT loop). A publisher's link is
/// read on its receiving side, a player's on its sending side.
/// </summary>
internal sealed class SrtTransportStatistics(SrtSocket socket, bool sender) : ITransportStatistics
{
    private long _lost;
    private long _retransmitted;
    private long _dropped;

    public IReadOnlyDictionary<string, double> Snapshot()
    {
        if (!TryRead(out var s))
        {
            return new Dictionary<string, double>();
        }

        var figures = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["rttMs"] = Math.Round(s.MsRtt, 3),
            ["bandwidthMbps"] = Math.Round(s.MbpsBandwidth, 3),
            ["receiveRateMbps"] = Math.Round(s.MbpsRecvRate, 3),
            ["sendRateMbps"] = Math.Round(s.MbpsSendRate, 3),
            ["latencyMs"] = sender ? s.MsSndTsbPdDelay : s.MsRcvTsbPdDelay,
        };
        var (lost, retransmitted, dropped) = Totals(s);
        figures[sender ? "packetsSent" : "packetsReceived"] = sender ? s.PktSentTotal : s.PktRecvTotal;
        figures["packetsLost"] = lost;
        figures["packetsRetransmitted"] = retransmitted;
        figures["packetsDropped"] = dropped;
        return figures;
    }

    /// <summary>Adds what changed since the last sample to the SRT counters and samples the RTT.</summary>
    public void Sample(LiveRelayMetrics metrics)
    {
        if (!TryRead(out var s))
        {
            return;
        }

        var (lost, retransmitted, dropped) = Totals(s);
        metrics.SrtLinkSampled(
            sender ? "send" : "receive",
            lost - _lost,
            retransmitted - _retransmitted,
            dropped - _dropped,
            s.MsRtt > 0 ? s.MsRtt / 1000 : null);
        (_lost, _retransmitted, _dropped) = (lost, retransmitted, dropped);
    }

    // Counted without ever clearing libsrt's figures, so its "interval" fields are totals as well.
    private (long Lost, long Retransmitted, long Dropped) Totals(in SrtStatistics s) => sender
        ? (s.PktSndLossTotal, s.PktRetransTotal, s.PktSndDropTotal)
        : (s.PktRcvLossTotal, s.PktRcvRetrans, s.PktRcvDropTotal);

    private bool TryRead(out SrtStatistics statistics)
    {
        try
        {
            statistics = socket.GetStatistics();
            return true;
        }
        catch (Exception ex) when (ex is SrtException or ObjectDisposedException)
        {
            statistics = default;
            return false;
        }
    }
}
