using LiveRelay.Core.Streams;

namespace LiveRelay.Protocols.Srt;

/// <summary>libsrt's statistics of one connection, as the API and metrics show them.</summary>
internal sealed class SrtTransportStatistics(SrtSocket socket) : ITransportStatistics
{
    public IReadOnlyDictionary<string, double> Snapshot()
    {
        try
        {
            var s = socket.GetStatistics();
            return new Dictionary<string, double>(StringComparer.Ordinal)
            {
                ["rttMs"] = Math.Round(s.MsRtt, 3),
                ["bandwidthMbps"] = Math.Round(s.MbpsBandwidth, 3),
                ["receiveRateMbps"] = Math.Round(s.MbpsRecvRate, 3),
                ["sendRateMbps"] = Math.Round(s.MbpsSendRate, 3),
                ["packetsReceived"] = s.PktRecvTotal,
                ["packetsLost"] = s.PktRcvLossTotal,
                ["packetsRetransmitted"] = s.PktRcvRetrans,
                ["packetsDropped"] = s.PktRcvDropTotal,
                ["latencyMs"] = s.MsRcvTsbPdDelay,
            };
        }
        catch (SrtException)
        {
            return new Dictionary<string, double>();
        }
        catch (ObjectDisposedException)
        {
            return new Dictionary<string, double>();
        }
    }
}
