using System.Globalization;

namespace LiveRelay.Formats.Sdp;

/// <summary>One <c>m=</c> section of an SDP (RFC 8866), with what an RTSP client needs of it.</summary>
/// <param name="Media"><c>video</c>, <c>audio</c>, …</param>
/// <param name="PayloadType">The first payload type the section lists.</param>
/// <param name="Encoding">From <c>a=rtpmap</c>, e.g. <c>H264</c>, <c>H265</c>, <c>MPEG4-GENERIC</c>, <c>MP4A-LATM</c>, <c>PCMA</c>; empty when absent.</param>
/// <param name="ClockRate">From <c>a=rtpmap</c>; for static payload types 0 and 8, 8000.</param>
/// <param name="Channels">From <c>a=rtpmap</c> (1 when absent).</param>
/// <param name="Format">The <c>a=fmtp</c> parameters for the payload type (names lower-case).</param>
/// <param name="Control">The <c>a=control</c> value (relative or absolute), or null.</param>
public sealed record MediaDescription(
    string Media,
    int PayloadType,
    string Encoding,
    int ClockRate,
    int Channels,
    IReadOnlyDictionary<string, string> Format,
    string? Control);

/// <summary>
/// A parsed SDP as RTSP cameras send it in DESCRIBE: the session-level <c>a=control</c> and the media
/// sections. Lenient where cameras are (LF or CRLF, stray spaces, unknown lines ignored), strict
/// where it matters (a media line that is not <c>m=&lt;media&gt; &lt;port&gt; &lt;proto&gt; &lt;fmt&gt;</c>
/// throws <see cref="InvalidDataException"/>); bounded in size.
/// </summary>
public sealed record SessionDescription(string? Control, IReadOnlyList<MediaDescription> Media)
{
    /// <summary>The largest SDP read, in characters.</summary>
    public const int MaxLength = 64 * 1024;

    private const int MaxMedia = 16;

    public static SessionDescription Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxLength)
        {
            throw new InvalidDataException($"the SDP is longer than {MaxLength} characters");
        }

        string? sessionControl = null;
        List<MediaBuilder> media = [];
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length < 2 || line[1] != '=')
            {
                continue;
            }

            var value = line[2..];
            var current = media.Count > 0 ? media[^1] : null;
            switch (line[0])
            {
                case 'm':
                    if (media.Count == MaxMedia)
                    {
                        throw new InvalidDataException($"the SDP has more than {MaxMedia} media sections");
                    }

                    media.Add(MediaBuilder.Parse(value));
                    break;
                case 'a' when value.StartsWith("control:", StringComparison.OrdinalIgnoreCase):
                    var control = value["control:".Length..].Trim();
                    if (current is null)
                    {
                        sessionControl = control;
                    }
                    else
                    {
                        current.Control = control;
                    }

                    break;
                case 'a' when current is not null && value.StartsWith("rtpmap:", StringComparison.OrdinalIgnoreCase):
                    current.ReadRtpMap(value["rtpmap:".Length..]);
                    break;
                case 'a' when current is not null && value.StartsWith("fmtp:", StringComparison.OrdinalIgnoreCase):
                    current.ReadFormat(value["fmtp:".Length..]);
                    break;
            }
        }

        return new SessionDescription(sessionControl, [.. media.Select(m => m.Build())]);
    }

    private sealed class MediaBuilder(string media, int payloadType)
    {
        private readonly Dictionary<string, string> _format = new(StringComparer.OrdinalIgnoreCase);
        private string _encoding = payloadType switch { 0 => "PCMU", 8 => "PCMA", _ => "" };
        private int _clockRate = payloadType is 0 or 8 ? 8000 : 0;
        private int _channels = 1;

        public string? Control { get; set; }

        //  m=<media> <port> <proto> <fmt> ...
        public static MediaBuilder Parse(string value)
        {
            var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 4 || !int.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var payloadType) || payloadType > 127)
            {
                throw new InvalidDataException($"a media line that is not 'm=<media> <port> <proto> <payload type>': 'm={value}'");
            }

            return new MediaBuilder(parts[0], payloadType);
        }

        //  a=rtpmap:<payload type> <encoding>/<clock rate>[/<channels>]
        public void ReadRtpMap(string value)
        {
            var space = value.IndexOf(' ', StringComparison.Ordinal);
            if (space < 0 || !int.TryParse(value.AsSpan(0, space), NumberStyles.None, CultureInfo.InvariantCulture, out var pt) || pt != payloadType)
            {
                return;
            }

            var parts = value[(space + 1)..].Trim().Split('/');
            _encoding = parts[0].ToUpperInvariant();
            if (parts.Length > 1 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var clock))
            {
                _clockRate = clock;
            }

            if (parts.Length > 2 && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var channels) && channels is > 0 and <= 8)
            {
                _channels = channels;
            }
        }

        //  a=fmtp:<payload type> <name>=<value>; <name>=<value>; ...
        public void ReadFormat(string value)
        {
            var space = value.IndexOf(' ', StringComparison.Ordinal);
            if (space < 0 || !int.TryParse(value.AsSpan(0, space), NumberStyles.None, CultureInfo.InvariantCulture, out var pt) || pt != payloadType)
            {
                return;
            }

            foreach (var pair in value[(space + 1)..].Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                if (equals > 0)
                {
                    _format[pair[..equals].Trim().ToLowerInvariant()] = pair[(equals + 1)..].Trim();
                }
            }
        }

        public MediaDescription Build() => new(media, payloadType, _encoding, _clockRate, _channels, _format, Control);
    }
}
