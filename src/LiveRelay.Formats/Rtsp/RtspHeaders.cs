using System.Globalization;

namespace LiveRelay.Formats.Rtsp;

/// <summary>One stream of a PLAY response's <c>RTP-Info</c>: the RTP sequence number and timestamp that correspond to the start of the range played.</summary>
public readonly record struct RtpInfoEntry(string Url, ushort? Sequence, uint? RtpTime);

/// <summary>The parts of a SETUP response's <c>Transport</c> header a client needs.</summary>
/// <param name="ServerRtpPort">The server's RTP port (UDP); its RTCP port is the next one unless the header says otherwise.</param>
/// <param name="ServerRtcpPort">The server's RTCP port (UDP).</param>
/// <param name="Interleaved">The RTP channel over TCP, when interleaved.</param>
/// <param name="Ssrc">The SSRC the server will send with, when it says.</param>
public readonly record struct RtspTransport(int? ServerRtpPort, int? ServerRtcpPort, int? Interleaved, uint? Ssrc);

/// <summary>Parsers for the RTSP headers whose values have structure (RFC 2326 §12.33, §12.39). Lenient where servers vary, never throwing.</summary>
public static class RtspHeaders
{
    private const int MaxEntries = 16;

    //  RTP-Info: url=rtsp://cam/stream/trackID=1;seq=4711;rtptime=123456,url=trackID=2;seq=17;rtptime=9000
    public static IReadOnlyList<RtpInfoEntry> ParseRtpInfo(string? value)
    {
        var entries = new List<RtpInfoEntry>();
        if (string.IsNullOrWhiteSpace(value))
        {
            return entries;
        }

        // URLs may contain commas (rare): a new entry starts only at ",url=".
        foreach (var part in SplitEntries(value))
        {
            if (entries.Count == MaxEntries)
            {
                break;
            }

            string? url = null;
            ushort? sequence = null;
            uint? rtpTime = null;
            foreach (var field in part.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = field.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                {
                    continue;
                }

                var name = field[..equals].Trim().ToLowerInvariant();
                var text = field[(equals + 1)..].Trim();
                switch (name)
                {
                    case "url":
                        url = text;
                        break;
                    case "seq" when ushort.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seq):
                        sequence = seq;
                        break;
                    case "rtptime" when uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var time):
                        rtpTime = time;
                        break;
                }
            }

            if (url is not null)
            {
                entries.Add(new RtpInfoEntry(url, sequence, rtpTime));
            }
        }

        return entries;
    }

    //  Transport: RTP/AVP;unicast;client_port=5000-5001;server_port=6970-6971;ssrc=1A2B3C4D;mode="PLAY"
    //  Transport: RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=1A2B3C4D
    public static RtspTransport ParseTransport(string? value)
    {
        int? rtp = null, rtcp = null, interleaved = null;
        uint? ssrc = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            return default;
        }

        // Several alternatives may be listed; the server's answer has one.
        var first = value.Split(',')[0];
        foreach (var field in first.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = field.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }

            var name = field[..equals].ToLowerInvariant();
            var text = field[(equals + 1)..].Trim('"', ' ');
            switch (name)
            {
                case "server_port":
                    (rtp, rtcp) = Ports(text);
                    break;
                case "interleaved":
                    interleaved = Ports(text).First;
                    break;
                case "ssrc" when uint.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var parsed):
                    ssrc = parsed;
                    break;
            }
        }

        return new RtspTransport(rtp, rtcp ?? (rtp + 1), interleaved, ssrc);
    }

    /// <summary>The methods an OPTIONS response's <c>Public</c> header lists, upper-case.</summary>
    public static IReadOnlySet<string> ParsePublic(string? value) =>
        (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Take(64)
            .Select(m => m.ToUpperInvariant())
            .ToHashSet(StringComparer.Ordinal);

    private static (int? First, int? Second) Ports(string text)
    {
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        var first = dash < 0 ? text : text[..dash];
        int? a = int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var x) && x is >= 0 and <= 65535 ? x : null;
        int? b = dash >= 0 && int.TryParse(text[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var y) && y is >= 0 and <= 65535 ? y : null;
        return (a, b);
    }

    private static IEnumerable<string> SplitEntries(string value)
    {
        var start = 0;
        for (var i = value.IndexOf(",", StringComparison.Ordinal); i >= 0; i = value.IndexOf(",", i + 1, StringComparison.Ordinal))
        {
            if (value.AsSpan(i + 1).TrimStart().StartsWith("url=", StringComparison.OrdinalIgnoreCase))
            {
                yield return value[start..i];
                start = i + 1;
            }
        }

        yield return value[start..];
    }
}
