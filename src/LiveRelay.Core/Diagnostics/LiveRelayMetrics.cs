using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace LiveRelay.Core.Diagnostics;

/// <summary>
/// Every LiveRelay instrument, on one <see cref="Meter"/> named <c>LiveRelay</c> made through
/// <see cref="IMeterFactory"/> (the shape of Kestrel's KestrelMetrics). Components record through
/// these methods; the exporter (the only code that knows the output format) reads the meter.
/// Measurements are taken per connection event, per batch or per segment, never per frame.
/// </summary>
public sealed class LiveRelayMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "LiveRelay";

    private readonly UpDownCounter<long> _connections;
    private readonly Counter<long> _connectionsAccepted;
    private readonly Counter<long> _connectionsRejected;
    private readonly Counter<long> _bytesReceived;
    private readonly Counter<long> _bytesSent;
    private readonly Counter<long> _framesDropped;
    private readonly Counter<long> _readersCutOff;
    private readonly Counter<long> _hlsSegments;
    private readonly Histogram<double> _hlsSegmentDuration;
    private readonly Histogram<double> _takeLatency;
    private readonly Counter<long> _publishesRefused;
    private readonly Counter<long> _playsRefused;
    private readonly Counter<long> _authCallbacks;
    private readonly Counter<long> _srtPacketsLost;
    private readonly Counter<long> _srtPacketsRetransmitted;
    private readonly Counter<long> _srtPacketsDropped;
    private readonly Histogram<double> _srtRtt;
    private readonly UpDownCounter<long> _pulls;
    private readonly UpDownCounter<long> _relays;
    private readonly Counter<long> _sourceAttempts;
    private readonly UpDownCounter<long> _webRtcSessions;
    private readonly Counter<long> _webRtcDropped;

    public LiveRelayMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Meter = meterFactory.Create(MeterName);
        _connections = Meter.CreateUpDownCounter<long>(
            "liverelay.connections", "{connection}", "Open connections by protocol and state (handshake, connected, publishing, playing).");
        _connectionsAccepted = Meter.CreateCounter<long>(
            "liverelay.connections.accepted", "{connection}", "Connections accepted, by protocol.");
        _connectionsRejected = Meter.CreateCounter<long>(
            "liverelay.connections.rejected", "{connection}", "Connections ended for a protocol error or a limit, by protocol and reason.");
        _bytesReceived = Meter.CreateCounter<long>(
            "liverelay.bytes.received", "By", "Bytes received from publishers and clients, by protocol.");
        _bytesSent = Meter.CreateCounter<long>(
            "liverelay.bytes.sent", "By", "Bytes sent to players and clients, by protocol.");
        _framesDropped = Meter.CreateCounter<long>(
            "liverelay.reader.frames.dropped", "{frame}", "Frames skipped for readers that fell behind, by protocol.");
        _readersCutOff = Meter.CreateCounter<long>(
            "liverelay.reader.cut_off", "{reader}", "Readers disconnected for staying behind, by protocol.");
        _publishesRefused = Meter.CreateCounter<long>(
            "liverelay.publish.refused", "{publish}", "Publish attempts refused, by protocol and reason.");
        _playsRefused = Meter.CreateCounter<long>(
            "liverelay.play.refused", "{play}", "Play attempts refused (no, forged, expired or revoked token; callback refusal), by protocol.");
        _authCallbacks = Meter.CreateCounter<long>(
            "liverelay.auth.callbacks", "{call}", "Calls of the operator's publish/play/unpublish callbacks, by action and result (allowed, refused, failed).");
        _hlsSegments = Meter.CreateCounter<long>(
            "liverelay.hls.segments", "{segment}", "HLS segments written.");
        _hlsSegmentDuration = Meter.CreateHistogram(
            "liverelay.hls.segment.duration", "s", "Durations of the HLS segments written.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.5, 1, 1.5, 2, 2.5, 3, 4, 6, 8, 10, 15] });
        _takeLatency = Meter.CreateHistogram(
            "liverelay.take.latency", "s", "Time from a Take request to the first frame of the new source in the program output.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 3, 5, 10] });
        _srtPacketsLost = Meter.CreateCounter<long>(
            "liverelay.srt.packets.lost", "{packet}", "SRT packets reported lost (receive: by publishers' links, send: by players' links), before retransmission.");
        _srtPacketsRetransmitted = Meter.CreateCounter<long>(
            "liverelay.srt.packets.retransmitted", "{packet}", "SRT packets retransmitted (receive: arrived as retransmissions, send: sent again), by direction.");
        _srtPacketsDropped = Meter.CreateCounter<long>(
            "liverelay.srt.packets.dropped", "{packet}", "SRT packets dropped as too late for the latency window (lost for good), by direction.");
        _srtRtt = Meter.CreateHistogram(
            "liverelay.srt.rtt", "s", "Round-trip times of SRT connections, sampled once a second per connection.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.5] });
        _pulls = Meter.CreateUpDownCounter<long>(
            "liverelay.pulls", "{pull}", "Pull sources by state (idle, connecting, live, retrying, failed).");
        _relays = Meter.CreateUpDownCounter<long>(
            "liverelay.relays", "{relay}", "Relay-out targets by state (waitingForSource, connecting, live, retrying).");
        _sourceAttempts = Meter.CreateCounter<long>(
            "liverelay.source.attempts", "{attempt}", "Connection attempts of pulls and relays, by kind (pull, relay) and scheme.");
        _webRtcSessions = Meter.CreateUpDownCounter<long>(
            "liverelay.webrtc.sessions", "{session}", "WebRTC sessions open, by kind (whip, whep).");
        _webRtcDropped = Meter.CreateCounter<long>(
            "liverelay.webrtc.dropped", "{event}", "WebRTC offers, checks, handshakes and packets refused or dropped, by reason (offer_malformed, offer_no_codec, stun_integrity, stun_unknown_ufrag, dtls_timeout, dtls_failed, srtp_auth, unroutable).");
    }

    /// <summary>A pull or relay changed state (<paramref name="from"/> null when it was just made, <paramref name="to"/> null when it was removed).</summary>
    public void SourceStateChanged(string kind, string? from, string? to)
    {
        var counter = kind == "pull" ? _pulls : _relays;
        if (from is not null)
        {
            counter.Add(-1, new KeyValuePair<string, object?>("state", from));
        }

        if (to is not null)
        {
            counter.Add(1, new KeyValuePair<string, object?>("state", to));
        }
    }

    /// <summary>A WebRTC session opened (+1) or closed (−1).</summary>
    public void WebRtcSession(string kind, int delta) => _webRtcSessions.Add(delta, new KeyValuePair<string, object?>("kind", kind));

    /// <summary>Something WebRTC refused or dropped.</summary>
    public void WebRtcDropped(string reason) => _webRtcDropped.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>A pull or relay tries to connect.</summary>
    public void SourceAttempt(string kind, string scheme) =>
        _sourceAttempts.Add(1, new("kind", kind), new("scheme", scheme));

    /// <summary>The meter, for observable instruments registered by other components.</summary>
    public Meter Meter { get; }

    public void ConnectionOpened(string protocol, string state)
    {
        _connectionsAccepted.Add(1, new KeyValuePair<string, object?>("protocol", protocol));
        _connections.Add(1, Tags(protocol, state));
    }

    public void ConnectionStateChanged(string protocol, string from, string to)
    {
        _connections.Add(-1, Tags(protocol, from));
        _connections.Add(1, Tags(protocol, to));
    }

    public void ConnectionClosed(string protocol, string state) => _connections.Add(-1, Tags(protocol, state));

    public void ConnectionRejected(string protocol, string reason) =>
        _connectionsRejected.Add(1, new("protocol", protocol), new("reason", reason));

    public void PublishRefused(string protocol, string reason) =>
        _publishesRefused.Add(1, new("protocol", protocol), new("reason", reason));

    public void PlayRefused(string protocol) => _playsRefused.Add(1, new KeyValuePair<string, object?>("protocol", protocol));

    public void AuthCallback(string action, string result) => _authCallbacks.Add(1, new("action", action), new("result", result));

    public void BytesReceived(string protocol, long bytes)
    {
        if (bytes > 0)
        {
            _bytesReceived.Add(bytes, new KeyValuePair<string, object?>("protocol", protocol));
        }
    }

    public void BytesSent(string protocol, long bytes)
    {
        if (bytes > 0)
        {
            _bytesSent.Add(bytes, new KeyValuePair<string, object?>("protocol", protocol));
        }
    }

    public void FramesDropped(string protocol, int frames) =>
        _framesDropped.Add(frames, new KeyValuePair<string, object?>("protocol", protocol));

    public void ReaderCutOff(string protocol) =>
        _readersCutOff.Add(1, new KeyValuePair<string, object?>("protocol", protocol));

    public void HlsSegmentWritten(double durationSeconds)
    {
        _hlsSegments.Add(1);
        _hlsSegmentDuration.Record(durationSeconds);
    }

    /// <summary>
    /// One SRT connection's link figures since its last sample (taken once a second and at close):
    /// <paramref name="direction"/> is <c>receive</c> for publishers and <c>send</c> for players.
    /// </summary>
    public void SrtLinkSampled(string direction, long lost, long retransmitted, long dropped, double? rttSeconds)
    {
        var tag = new KeyValuePair<string, object?>("direction", direction);
        if (lost > 0)
        {
            _srtPacketsLost.Add(lost, tag);
        }

        if (retransmitted > 0)
        {
            _srtPacketsRetransmitted.Add(retransmitted, tag);
        }

        if (dropped > 0)
        {
            _srtPacketsDropped.Add(dropped, tag);
        }

        if (rttSeconds is { } rtt)
        {
            _srtRtt.Record(rtt);
        }
    }

    public void TakeCompleted(TimeSpan latency) => _takeLatency.Record(latency.TotalSeconds);

    private static TagList Tags(string protocol, string state) => new() { { "protocol", protocol }, { "state", state } };
}
