namespace LiveRelay.Protocols.WebRtc.Sdp;

/// <summary>
/// Reads a WebRTC offer line by line (RFC 8866 text, RFC 8839/8829 attributes). Limits come first: the
/// length before splitting, the m= count as sections open, the payload types as each m= line is read.
/// Unknown lines and attributes are skipped; the ones we rely on are checked and a bad one throws.
/// </summary>
internal static partial class WebRtcOfferParser
{
    private const int MaxIceTokenLength = 256;

    public static WebRtcOffer Parse(string sdp)
    {
        ArgumentNullException.ThrowIfNull(sdp);
        if (sdp.Length > WebRtcOffer.MaxLength)
        {
            throw Fail($"the SDP is {sdp.Length} characters, over the {WebRtcOffer.MaxLength} limit");
        }

        var session = new TransportBuilder();
        string? sessionDirection = null;
        List<string> bundle = [];
        List<(int Id, string Uri)> sessionExtensions = [];
        List<MediaBuilder> media = [];
        var sawVersion = false;
        var lineNumber = 0;
        foreach (var raw in sdp.Split('\n'))
        {
            lineNumber++;
            var line = raw.TrimEnd();
            if (line.Length == 0)
            {
                continue;
            }

            if (line.Length < 2 || line[1] != '=')
            {
                throw Fail($"line {lineNumber} is not <type>=<value>");
            }

            if (!sawVersion)
            {
                if (line != "v=0")
                {
                    throw Fail("not an SDP: the first line is not v=0");
                }

                sawVersion = true;
                continue;
            }

            var value = line[2..];
            if (line[0] == 'm')
            {
                if (media.Count == WebRtcOffer.MaxMedia)
                {
                    throw Fail($"more than {WebRtcOffer.MaxMedia} m= sections");
                }

                media.Add(MediaBuilder.FromMediaLine(value, lineNumber));
                continue;
            }

            if (line[0] != 'a')
            {
                continue;
            }

            var colon = value.IndexOf(':');
            var name = colon < 0 ? value : value[..colon];
            var argument = colon < 0 ? "" : value[(colon + 1)..].Trim();
            if (media.Count > 0)
            {
                media[^1].ReadAttribute(name, argument, lineNumber);
                continue;
            }

            switch (name)
            {
                case "group":
                    var group = argument.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (group.Length > 0 && group[0] == "BUNDLE" && bundle.Count == 0)
                    {
                        bundle.AddRange(group.Skip(1).Take(WebRtcOffer.MaxMedia + 1));
                    }

                    break;
                case "extmap":
                    sessionExtensions.Add(ReadExtmap(argument, lineNumber));
                    break;
                case "sendrecv" or "sendonly" or "recvonly" or "inactive":
                    sessionDirection = name;
                    break;
                default:
                    session.ReadAttribute(name, argument, lineNumber);
                    break;
            }
        }

        if (!sawVersion)
        {
            throw Fail("empty SDP");
        }

        if (media.Count == 0)
        {
            throw Fail("no m= line");
        }

        return Build(session, sessionDirection, bundle, sessionExtensions, media);
    }

    private static WebRtcOffer Build(
        TransportBuilder session,
        string? sessionDirection,
        List<string> bundle,
        List<(int Id, string Uri)> sessionExtensions,
        List<MediaBuilder> builders)
    {
        var media = new List<OfferedMedia>(builders.Count);
        foreach (var builder in builders)
        {
            var offered = builder.Build(sessionDirection, sessionExtensions);
            if (media.Any(m => m.Mid == offered.Mid))
            {
                throw Fail($"two m= sections share a=mid:{offered.Mid}");
            }

            media.Add(offered);
        }

        foreach (var mid in bundle)
        {
            if (!media.Any(m => m.Mid == mid))
            {
                throw Fail($"a=group:BUNDLE names mid {mid}, which no m= section has");
            }
        }

        // The transport is the BUNDLE-tagged section's (the first mid of the group), else the first
        // section not rejected; values it does not carry come from session level, then any section.
        var tagged = bundle.Count > 0
            ? media.First(m => m.Mid == bundle[0])
            : media.FirstOrDefault(m => !m.IsRejected) ?? media[0];
        var ufrag = tagged.IceUfrag ?? session.IceUfrag ?? media.Select(m => m.IceUfrag).FirstOrDefault(u => u is not null)
            ?? throw Fail("missing a=ice-ufrag");
        var pwd = tagged.IcePwd ?? session.IcePwd ?? media.Select(m => m.IcePwd).FirstOrDefault(p => p is not null)
            ?? throw Fail("missing a=ice-pwd");
        var fingerprint = tagged.Fingerprint ?? session.Fingerprint ?? media.Select(m => m.Fingerprint).FirstOrDefault(f => f is not null)
            ?? throw Fail("missing a=fingerprint");
        var setup = tagged.Setup ?? session.Setup ?? "actpass";

        return new WebRtcOffer(ufrag, pwd, fingerprint, setup, bundle, media)
        {
            SessionIceUfrag = session.IceUfrag,
            SessionIcePwd = session.IcePwd,
            SessionFingerprint = session.Fingerprint,
        };
    }

    /// <summary><c>a=extmap:&lt;id&gt;[/&lt;direction&gt;] &lt;uri&gt; [&lt;attributes&gt;]</c> (RFC 8285 §8).</summary>
    private static (int Id, string Uri) ReadExtmap(string argument, int lineNumber)
    {
        var parts = argument.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var idText = parts.Length >= 2 ? parts[0].Split('/')[0] : "";
        if (!int.TryParse(idText, out var id) || id is < 1 or > 255)
        {
            throw Fail($"bad a=extmap on line {lineNumber}");
        }

        return (id, parts[1]);
    }

    private static WebRtcSdpException Fail(string message) => new(message);

    /// <summary>The transport attributes, at session level or in one m= section.</summary>
    private sealed class TransportBuilder
    {
        private SdpFingerprint? _firstFingerprint;
        private SdpFingerprint? _sha256;

        public string? IceUfrag { get; private set; }

        public string? IcePwd { get; private set; }

        public string? Setup { get; private set; }

        public SdpFingerprint? Fingerprint => _sha256 ?? _firstFingerprint;

        /// <summary>Reads ice-ufrag, ice-pwd, fingerprint and setup; returns false for any other attribute.</summary>
        public bool ReadAttribute(string name, string argument, int lineNumber)
        {
            switch (name)
            {
                case "ice-ufrag":
                    IceUfrag ??= IceToken(argument, name, lineNumber);
                    return true;
                case "ice-pwd":
                    IcePwd ??= IceToken(argument, name, lineNumber);
                    return true;
                case "fingerprint":
                    if (!SdpFingerprint.TryParse(argument, out var fingerprint))
                    {
                        throw Fail($"bad a=fingerprint on line {lineNumber}");
                    }

                    _firstFingerprint ??= fingerprint;
                    if (fingerprint.Algorithm == "sha-256")
                    {
                        _sha256 ??= fingerprint;
                    }

                    return true;
                case "setup":
                    if (argument is not ("actpass" or "active" or "passive" or "holdconn"))
                    {
                        throw Fail($"bad a=setup:{argument} on line {lineNumber}");
                    }

                    Setup ??= argument;
                    return true;
                default:
                    return false;
            }
        }

        /// <summary>ufrag and pwd: visible ASCII without a colon (which would break the STUN USERNAME), at most 256 characters.</summary>
        private static string IceToken(string value, string name, int lineNumber)
        {
            if (value.Length is 0 or > MaxIceTokenLength || value.Any(c => c is <= ' ' or > '~' or ':'))
            {
                throw Fail($"bad a={name} on line {lineNumber}");
            }

            return value;
        }
    }
}
