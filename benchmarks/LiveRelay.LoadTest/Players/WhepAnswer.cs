using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace LiveRelay.LoadTest.Players;

/// <summary>
/// What a WHEP viewer needs from the server's SDP answer: the server's ICE credentials, its
/// certificate fingerprint, its first UDP host candidate and the payload types of the accepted video
/// and audio sections. Parsing does no I/O.
/// </summary>
/// <param name="IceUfrag">The server's <c>a=ice-ufrag</c> (first half of our checks' USERNAME).</param>
/// <param name="IcePassword">The server's <c>a=ice-pwd</c> (the MESSAGE-INTEGRITY key of our checks).</param>
/// <param name="Fingerprint">The SHA-256 of the server's certificate, from <c>a=fingerprint:sha-256 AB:CD:…</c>.</param>
/// <param name="Candidate">Where the checks, DTLS and everything else go.</param>
/// <param name="VideoPayloadType">The accepted H.264 payload type, or -1 when video was rejected.</param>
/// <param name="AudioPayloadType">The accepted Opus payload type, or -1 when audio was rejected.</param>
internal sealed record WhepAnswer(string IceUfrag, string IcePassword, byte[] Fingerprint, IPEndPoint Candidate, int VideoPayloadType, int AudioPayloadType)
{
    /// <summary>Longest answer read; the server's is about 1.5 KB.</summary>
    public const int MaxLength = 64 * 1024;

    /// <summary>Reads the answer; false with the reason when a needed line is missing or malformed.</summary>
    public static bool TryParse(string sdp, [NotNullWhen(true)] out WhepAnswer? answer, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(sdp);
        answer = null;
        if (sdp.Length > MaxLength)
        {
            error = $"the answer is over {MaxLength} characters";
            return false;
        }

        string? ufrag = null, password = null;
        byte[]? fingerprint = null;
        IPEndPoint? candidate = null;
        int video = -1, audio = -1;
        string? kind = null;
        foreach (var raw in sdp.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith("m=", StringComparison.Ordinal))
            {
                // m=<kind> <port> <proto> <fmt> …; port 0 is a rejected section.
                var fields = line[2..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                kind = fields.Length >= 4 && fields[1] != "0" ? fields[0] : null;
                if (kind is not null && int.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var type))
                {
                    if (kind == "video" && video < 0)
                    {
                        video = type;
                    }
                    else if (kind == "audio" && audio < 0)
                    {
                        audio = type;
                    }
                }
            }
            else if (line.StartsWith("a=ice-ufrag:", StringComparison.Ordinal))
            {
                ufrag ??= line["a=ice-ufrag:".Length..].Trim();
            }
            else if (line.StartsWith("a=ice-pwd:", StringComparison.Ordinal))
            {
                password ??= line["a=ice-pwd:".Length..].Trim();
            }
            else if (line.StartsWith("a=fingerprint:", StringComparison.Ordinal) && fingerprint is null)
            {
                if (!TryReadFingerprint(line["a=fingerprint:".Length..], out fingerprint, out error))
                {
                    return false;
                }
            }
            else if (line.StartsWith("a=candidate:", StringComparison.Ordinal) && candidate is null)
            {
                candidate = ReadUdpCandidate(line["a=candidate:".Length..]);
            }
        }

        error = (ufrag, password, fingerprint, candidate, video) switch
        {
            (null or "", _, _, _, _) => "no a=ice-ufrag",
            (_, null or "", _, _, _) => "no a=ice-pwd",
            (_, _, null, _, _) => "no a=fingerprint:sha-256",
            (_, _, _, null, _) => "no UDP IPv4 a=candidate",
            (_, _, _, _, < 0) => "the video section was rejected",
            _ => null,
        };
        if (error is not null)
        {
            return false;
        }

        answer = new WhepAnswer(ufrag!, password!, fingerprint!, candidate!, video, audio);
        return true;
    }

    // a=fingerprint:sha-256 AB:CD:…:EF (RFC 8122 §5): 32 bytes as colon-separated hex.
    private static bool TryReadFingerprint(string value, [NotNullWhen(true)] out byte[]? fingerprint, [NotNullWhen(false)] out string? error)
    {
        fingerprint = null;
        var parts = value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2 || !string.Equals(parts[0], "sha-256", StringComparison.OrdinalIgnoreCase))
        {
            error = $"a=fingerprint is not sha-256: '{value}'";
            return false;
        }

        var hex = parts[1].Replace(":", "", StringComparison.Ordinal);
        if (hex.Length != 64)
        {
            error = $"a=fingerprint has {hex.Length / 2} bytes, not 32";
            return false;
        }

        try
        {
            fingerprint = Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            error = $"a=fingerprint is not hex: '{parts[1]}'";
            return false;
        }

        error = null;
        return true;
    }

    // a=candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> …
    private static IPEndPoint? ReadUdpCandidate(string value)
    {
        var fields = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length >= 8
            && fields[1] == "1"
            && string.Equals(fields[2], "udp", StringComparison.OrdinalIgnoreCase)
            && IPAddress.TryParse(fields[4], out var address)
            && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
            && int.TryParse(fields[5], NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            && port is > 0 and <= 65535
                ? new IPEndPoint(address, port)
                : null;
    }
}
