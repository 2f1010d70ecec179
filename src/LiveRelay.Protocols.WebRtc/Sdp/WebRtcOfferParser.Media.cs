using System.Globalization;

namespace LiveRelay.Protocols.WebRtc.Sdp;

internal static partial class WebRtcOfferParser
{
    /// <summary>Static payload types a browser may list without an rtpmap (RFC 3551 §6).</summary>
    private static readonly Dictionary<int, (string Name, int ClockRate)> StaticTypes = new()
    {
        [0] = ("PCMU", 8000),
        [8] = ("PCMA", 8000),
        [9] = ("G722", 8000),
        [13] = ("CN", 8000),
    };

    /// <summary>One m= section while its attributes are read.</summary>
    private sealed class MediaBuilder
    {
        private readonly TransportBuilder _transport = new();
        private readonly Dictionary<int, (string Name, int ClockRate, int Channels)> _rtpMaps = [];
        private readonly Dictionary<int, string> _fmtps = [];
        private readonly Dictionary<string, List<string>> _feedback = [];
        private readonly List<(int Id, string Uri)> _extensions = [];
        private string? _mid;
        private string? _direction;
        private bool _rtcpMux;
        private bool _rtcpRsize;
        private bool _bundleOnly;
        private string? _firstSsrc;
        private (string Primary, string Repair)? _fid;

        private MediaBuilder(string kind, int port, string protocol, string[] formats, List<int> payloadTypes)
        {
            Kind = kind;
            Port = port;
            Protocol = protocol;
            Formats = formats;
            PayloadTypes = payloadTypes;
        }

        public string Kind { get; }

        public int Port { get; }

        public string Protocol { get; }

        public string[] Formats { get; }

        /// <summary>The formats as payload types, for RTP protocols; empty otherwise.</summary>
        public List<int> PayloadTypes { get; }

        // m=<media> <port>[/<number of ports>] <proto> <fmt> ...
        // e.g. m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103
        //      m=application 9 UDP/DTLS/SCTP webrtc-datachannel
        public static MediaBuilder FromMediaLine(string value, int lineNumber)
        {
            var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 4)
            {
                throw Fail($"bad m= line on line {lineNumber}: expected <media> <port> <proto> <fmt>");
            }

            if (parts.Length - 3 > WebRtcOffer.MaxCodecsPerMedia)
            {
                throw Fail($"m= line on line {lineNumber} lists more than {WebRtcOffer.MaxCodecsPerMedia} payload types");
            }

            if (!int.TryParse(parts[1].Split('/')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
            {
                throw Fail($"bad m= line on line {lineNumber}: port '{parts[1]}'");
            }

            var formats = parts[3..];
            List<int> payloadTypes = [];
            if (parts[2].Contains("RTP/", StringComparison.OrdinalIgnoreCase))
            {
                foreach (var format in formats)
                {
                    if (!int.TryParse(format, NumberStyles.None, CultureInfo.InvariantCulture, out var pt) || pt > 127)
                    {
                        throw Fail($"bad m= line on line {lineNumber}: payload type '{format}'");
                    }

                    if (!payloadTypes.Contains(pt))
                    {
                        payloadTypes.Add(pt);
                    }
                }
            }

            return new MediaBuilder(parts[0], port, parts[2], formats, payloadTypes);
        }

        public void ReadAttribute(string name, string argument, int lineNumber)
        {
            if (_transport.ReadAttribute(name, argument, lineNumber))
            {
                return;
            }

            switch (name)
            {
                case "mid":
                    _mid ??= argument.Length is > 0 and <= 32 && !argument.Contains(' ')
                        ? argument
                        : throw Fail($"bad a=mid on line {lineNumber}");
                    break;
                case "sendrecv" or "sendonly" or "recvonly" or "inactive":
                    _direction = name;
                    break;
                case "rtcp-mux" or "rtcp-mux-only":
                    _rtcpMux = true;
                    break;
                case "rtcp-rsize":
                    _rtcpRsize = true;
                    break;
                case "bundle-only":
                    _bundleOnly = true;
                    break;
                case "extmap":
                    var extension = ReadExtmap(argument, lineNumber);
                    if (!_extensions.Any(e => e.Id == extension.Id))
                    {
                        _extensions.Add(extension);
                    }

                    break;
                case "rtpmap":
                    ReadRtpMap(argument, lineNumber);
                    break;
                case "fmtp":
                    var space = argument.IndexOf(' ');
                    var fmtpType = space < 0 ? argument : argument[..space];
                    if (int.TryParse(fmtpType, NumberStyles.None, CultureInfo.InvariantCulture, out var fmtpPt))
                    {
                        _fmtps.TryAdd(fmtpPt, space < 0 ? "" : argument[(space + 1)..].Trim());
                    }

                    break;
                case "rtcp-fb":
                    var fb = argument.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    if (fb.Length == 2)
                    {
                        var feedback = string.Join(' ', fb[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
                        if (!_feedback.TryGetValue(fb[0], out var list))
                        {
                            _feedback[fb[0]] = list = [];
                        }

                        if (!list.Contains(feedback))
                        {
                            list.Add(feedback);
                        }
                    }

                    break;
                case "ssrc":
                    // a=ssrc:<ssrc-id> <attribute>[:<value>]
                    var ssrc = argument.Split(' ', 2)[0];
                    _firstSsrc ??= IsSsrc(ssrc) ? ssrc : throw Fail($"bad a=ssrc on line {lineNumber}");
                    break;
                case "ssrc-group":
                    // a=ssrc-group:FID <primary> <retransmission>
                    var group = argument.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (group.Length >= 3 && group[0] == "FID" && _fid is null)
                    {
                        _fid = IsSsrc(group[1]) && IsSsrc(group[2]) ? (group[1], group[2]) : throw Fail($"bad a=ssrc-group on line {lineNumber}");
                    }

                    break;
            }
        }

        // a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]
        private void ReadRtpMap(string argument, int lineNumber)
        {
            var parts = argument.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var encoding = parts.Length == 2 ? parts[1].Split('/') : [];
            var channels = 1;
            if (encoding.Length is < 2 or > 3
                || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pt) || pt > 127
                || encoding[0].Length == 0
                || !int.TryParse(encoding[1], NumberStyles.None, CultureInfo.InvariantCulture, out var clockRate) || clockRate == 0
                || (encoding.Length == 3 && (!int.TryParse(encoding[2], NumberStyles.None, CultureInfo.InvariantCulture, out channels) || channels is 0 or > 255)))
            {
                throw Fail($"bad a=rtpmap on line {lineNumber}");
            }

            _rtpMaps.TryAdd(pt, (encoding[0], clockRate, channels));
        }

        private static bool IsSsrc(string text) => uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _);

        public OfferedMedia Build(string? sessionDirection, List<(int Id, string Uri)> sessionExtensions)
        {
            var mid = _mid ?? throw Fail($"the {Kind} m= section has no a=mid");
            var extensions = new List<(int Id, string Uri)>(_extensions);
            extensions.AddRange(sessionExtensions.Where(s => !extensions.Any(e => e.Id == s.Id)));

            var rtx = RtxByAssociatedType();
            var codecs = new List<RtpCodec>(PayloadTypes.Count);
            foreach (var pt in PayloadTypes)
            {
                var (name, clockRate, channels) = _rtpMaps.TryGetValue(pt, out var map)
                    ? map
                    : StaticTypes.TryGetValue(pt, out var known) ? (known.Name, known.ClockRate, 1) : ("", 0, 1);
                _fmtps.TryGetValue(pt, out var fmtp);
                var feedback = new List<string>();
                foreach (var key in new[] { pt.ToString(CultureInfo.InvariantCulture), "*" })
                {
                    if (_feedback.TryGetValue(key, out var list))
                    {
                        feedback.AddRange(list.Where(f => !feedback.Contains(f)));
                    }
                }

                codecs.Add(new RtpCodec(pt, name, clockRate, channels, ReadFormat(fmtp), feedback, rtx.TryGetValue(pt, out var repair) ? repair : null) { Fmtp = fmtp });
            }

            return new OfferedMedia(Kind, Port, mid, _direction ?? sessionDirection ?? "sendrecv", _rtcpMux, codecs, extensions, _fid?.Primary ?? _firstSsrc)
            {
                Protocol = Protocol,
                Formats = Formats,
                BundleOnly = _bundleOnly,
                RtcpRsize = _rtcpRsize,
                RtxSsrc = _fid?.Repair,
                IceUfrag = _transport.IceUfrag,
                IcePwd = _transport.IcePwd,
                Fingerprint = _transport.Fingerprint,
                Setup = _transport.Setup,
            };
        }

        /// <summary>For each payload type, the first rtx payload type on this m= line whose apt names it.</summary>
        private Dictionary<int, int> RtxByAssociatedType()
        {
            var rtx = new Dictionary<int, int>();
            foreach (var pt in PayloadTypes)
            {
                if (_rtpMaps.TryGetValue(pt, out var map) && map.Name.Equals("rtx", StringComparison.OrdinalIgnoreCase)
                    && _fmtps.TryGetValue(pt, out var fmtp)
                    && ReadFormat(fmtp).TryGetValue("apt", out var aptText)
                    && int.TryParse(aptText, NumberStyles.None, CultureInfo.InvariantCulture, out var apt))
                {
                    rtx.TryAdd(apt, pt);
                }
            }

            return rtx;
        }

        // a=fmtp:<payload type> <name>=<value>;<name>=<value>…  (or a bare value such as red's "111/111")
        private static Dictionary<string, string> ReadFormat(string? fmtp)
        {
            var format = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (fmtp is null)
            {
                return format;
            }

            foreach (var parameter in fmtp.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var equals = parameter.IndexOf('=');
                var key = equals < 0 ? parameter : parameter[..equals].Trim();
                format.TryAdd(key, equals < 0 ? "" : parameter[(equals + 1)..].Trim());
            }

            return format;
        }
    }
}
