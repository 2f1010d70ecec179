namespace LiveRelay.Core.Streams;

/// <summary>
/// Live transport figures of a publisher's connection (SRT RTT, loss, retransmits; later WebRTC),
/// read when the API or metrics ask. Implementations must be safe to call from any thread and
/// return an empty result once the connection is gone.
/// </summary>
public interface ITransportStatistics
{
    /// <summary>Figures by name, e.g. <c>rttMs</c>, <c>packetsLost</c>.</summary>
    IReadOnlyDictionary<string, double> Snapshot();
}
