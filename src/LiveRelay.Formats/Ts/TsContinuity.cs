namespace LiveRelay.Formats.Ts;

/// <summary>continuity_counter tracking for one PID (2.4.3.3).</summary>
internal struct TsContinuity
{
    private int _last;
    private bool _seen;

    /// <summary>True when the last accepted packet repeated the previous one (same counter, allowed once).</summary>
    public bool IsDuplicate { get; private set; }

    // The counter advances by one (mod 16) on each packet with a payload; a packet without payload
    // repeats it. One duplicate is allowed. A discontinuity_indicator resets the expectation.
    public bool Accept(in TsPacketHeader header)
    {
        var counter = header.ContinuityCounter;
        var wasDuplicate = IsDuplicate;
        IsDuplicate = false;
        if (!_seen || header.Discontinuity)
        {
            _seen = true;
            _last = counter;
            return true;
        }

        if (!header.HasPayload)
        {
            return counter == _last || Reset(counter);
        }

        if (counter == ((_last + 1) & 0x0F))
        {
            _last = counter;
            return true;
        }

        if (counter == _last && !wasDuplicate)
        {
            IsDuplicate = true;
            return true;
        }

        return Reset(counter);
    }

    private bool Reset(int counter)
    {
        _last = counter;
        return false;
    }
}
