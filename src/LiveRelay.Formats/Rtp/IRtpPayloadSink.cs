namespace LiveRelay.Formats.Rtp;

/// <summary>
/// Receives the RTP payloads of one access unit from a packetizer, in sending order. A payload is
/// <c>payloadHeader</c> followed by <c>payloadBody</c>: the sink writes its RTP header (<see cref="RtpPacket.Write"/>,
/// with <c>marker</c>), then both, into its own buffer. The spans are only valid during the call.
/// </summary>
public interface IRtpPayloadSink
{
    void OnPayload(ReadOnlySpan<byte> payloadHeader, ReadOnlySpan<byte> payloadBody, bool marker);
}
