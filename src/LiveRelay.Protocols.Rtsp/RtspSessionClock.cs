namespace LiveRelay.Protocols.Rtsp;

/// <summary>
/// Puts the tracks of one RTSP session on one timeline. When every track's start came from the PLAY
/// response's RTP-Info, they are in sync already. Otherwise each track starts at 0 at its first
/// packet, and once every track has had an RTCP sender report (which maps its RTP clock to the
/// sender's wall clock), the other tracks are shifted once so that the same wall-clock instant has
/// the same time on every track; the first video track is the reference and is never moved.
/// </summary>
public sealed class RtspSessionClock
{
    /// <summary>Shifts larger than this are taken for a broken sender clock and not applied.</summary>
    public static readonly TimeSpan MaxShift = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    private readonly List<RtspTrackAssembler> _tracks = [];
    private readonly Dictionary<RtspTrackAssembler, (ulong Ntp, uint Rtp)> _reports = [];
    private readonly HashSet<RtspTrackAssembler> _fromRtpInfo = [];
    private bool _settled;

    /// <summary>Whether the tracks are on one timeline (RTP-Info for all, or sender reports applied).</summary>
    public bool IsSynchronized
    {
        get
        {
            lock (_lock)
            {
                return _settled;
            }
        }
    }

    /// <summary>The shift applied to each track when sender reports synchronized them, in 90 kHz ticks (video first).</summary>
    public IReadOnlyList<long> Shifts
    {
        get
        {
            lock (_lock)
            {
                return [.. _tracks.Select(t => t.Shift)];
            }
        }
    }

    internal void Add(RtspTrackAssembler track)
    {
        lock (_lock)
        {
            _tracks.Add(track);
        }
    }

    /// <summary>A track fixed its time 0 (from RTP-Info or from its first packet).</summary>
    internal void OnOrigin(RtspTrackAssembler track, bool fromRtpInfo)
    {
        lock (_lock)
        {
            if (fromRtpInfo)
            {
                _fromRtpInfo.Add(track);
            }

            if (_tracks.Count > 0 && _fromRtpInfo.Count == _tracks.Count)
            {
                _settled = true;
            }

            TrySettle();
        }
    }

    internal void OnSenderReport(RtspTrackAssembler track, ulong ntpTimestamp, uint rtpTimestamp)
    {
        if (ntpTimestamp == 0)
        {
            return; // a sender without a wall clock
        }

        lock (_lock)
        {
            _reports[track] = (ntpTimestamp, rtpTimestamp);
            TrySettle();
        }
    }

    private void TrySettle()
    {
        if (_settled || _tracks.Count < 2 || _tracks.Any(t => t.Origin is null || !_reports.ContainsKey(t)))
        {
            return;
        }

        _settled = true;
        var reference = _tracks.FirstOrDefault(t => t.IsVideo) ?? _tracks[0];
        var referenceStart = WallClockOfOrigin(reference);
        foreach (var track in _tracks)
        {
            if (track == reference)
            {
                continue;
            }

            var seconds = WallClockOfOrigin(track) - referenceStart;
            if (Math.Abs(seconds) <= MaxShift.TotalSeconds)
            {
                track.Shift = (long)Math.Round(seconds * 90000);
            }
        }
    }

    /// <summary>The sender's wall-clock time (seconds) of the track's time 0.</summary>
    private double WallClockOfOrigin(RtspTrackAssembler track)
    {
        var (ntp, rtp) = _reports[track];
        var ntpSeconds = (ntp >> 32) + ((ntp & 0xFFFFFFFF) / 4294967296.0);
        return ntpSeconds - ((int)(rtp - track.Origin!.Value) / (double)track.ClockRate);
    }
}
