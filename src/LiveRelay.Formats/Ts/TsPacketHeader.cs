namespace LiveRelay.Formats.Ts;

/// <summary>The header and adaptation field of one transport packet.</summary>
/// <param name="Pid">The 13-bit packet identifier.</param>
/// <param name="PayloadUnitStart">payload_unit_start_indicator: a PES or section starts in this payload.</param>
/// <param name="ContinuityCounter">continuity_counter, 0–15.</param>
/// <param name="HasPayload">adaptation_field_control says a payload follows.</param>
/// <param name="AdaptationFieldLength">Bytes of the adaptation field including its length byte; 0 when absent.</param>
/// <param name="Discontinuity">discontinuity_indicator.</param>
/// <param name="RandomAccess">random_access_indicator.</param>
/// <param name="Pcr">The program clock reference in 27 MHz ticks (base × 300 + extension), when present.</param>
/// <param name="PayloadOffset">Where the payload starts in the packet.</param>
public readonly record struct TsPacketHeader(
    int Pid,
    bool PayloadUnitStart,
    int ContinuityCounter,
    bool HasPayload,
    int AdaptationFieldLength,
    bool Discontinuity,
    bool RandomAccess,
    long? Pcr,
    int PayloadOffset)
{
    /// <summary>The PCR base on the 90 kHz clock, when present.</summary>
    public long? PcrBase => Pcr / TsPacket.PcrTicksPerClockTick;
}
