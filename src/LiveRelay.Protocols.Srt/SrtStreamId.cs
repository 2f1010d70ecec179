using System.Diagnostics.CodeAnalysis;
using LiveRelay.Core.Streams;

namespace LiveRelay.Protocols.Srt;

/// <summary>What an SRT caller asks for.</summary>
public enum SrtMode
{
    /// <summary>Publish if nobody publishes the path, else read (the bare <c>app/stream</c> form).</summary>
    Auto,

    /// <summary>Send media to the server.</summary>
    Publish,

    /// <summary>Receive media from the server (<c>m=request</c>).</summary>
    Request,
}

/// <summary>
/// A parsed SRT streamid. Accepted forms:
/// <list type="bullet">
/// <item>the SRT access-control form <c>#!::r=live/cam1,m=publish,u=alice,s=abc123</c> (<c>m=request</c> to play;
/// <c>u</c> user and <c>s</c> session are kept for authentication; unknown keys are kept too);</item>
/// <item><c>publish:live/cam1</c> and <c>read:live/cam1</c>, as other servers print them;</item>
/// <item><c>live/cam1</c>: publish if nobody publishes there, else read.</item>
/// </list>
/// A query after the path (<c>live/cam1?key=secret</c>) is kept in <see cref="Parameters"/>.
/// </summary>
public sealed record SrtStreamId(string Path, SrtMode Mode, string? User, string? Session, IReadOnlyDictionary<string, string> Parameters)
{
    /// <summary>The longest streamid SRT carries.</summary>
    public const int MaxLength = 512;

    public static bool TryParse(string? text, [NotNullWhen(true)] out SrtStreamId? streamId, out string error)
    {
        streamId = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "the streamid is empty (use #!::r=app/stream,m=publish or app/stream)";
            return false;
        }

        if (text.Length > MaxLength)
        {
            error = $"the streamid is longer than {MaxLength} characters";
            return false;
        }

        // Some callers percent-encode the whole streamid (it travels in an srt:// URL); ffmpeg does not.
        if (text.Contains('%', StringComparison.Ordinal))
        {
            text = Uri.UnescapeDataString(text);
        }

        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        string? resource;
        var mode = SrtMode.Auto;
        if (text.StartsWith("#!::", StringComparison.Ordinal))
        {
            resource = null;
            foreach (var pair in text[4..].Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=');
                if (eq <= 0)
                {
                    error = $"'{pair}' is not key=value in the access-control streamid";
                    return false;
                }

                var key = pair[..eq].Trim();
                var value = pair[(eq + 1)..].Trim();
                if (parameters.Count >= 32)
                {
                    error = "the streamid has too many keys";
                    return false;
                }

                parameters[key] = value;
            }

            parameters.TryGetValue("r", out resource);
            if (parameters.TryGetValue("m", out var m))
            {
                if (!TryMode(m, out mode))
                {
                    error = $"mode m={m} is not supported (use publish or request)";
                    return false;
                }
            }
        }
        else
        {
            resource = text;
            var colon = text.IndexOf(':');
            if (colon > 0 && TryMode(text[..colon], out var prefixed))
            {
                mode = prefixed;
                resource = text[(colon + 1)..];
            }
        }

        var question = resource?.IndexOf('?') ?? -1;
        if (resource is not null && question >= 0)
        {
            foreach (var pair in resource[(question + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=');
                parameters.TryAdd(Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]), eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]));
            }

            resource = resource[..question];
        }

        if (!StreamPath.TryNormalize(resource, out var path, out var pathError))
        {
            error = resource is null ? "the access-control streamid has no r= resource" : $"r={resource}: {pathError}";
            return false;
        }

        parameters.TryGetValue("u", out var user);
        parameters.TryGetValue("s", out var session);
        streamId = new SrtStreamId(path, mode, user, session, parameters);
        error = "";
        return true;
    }

    private static bool TryMode(string text, out SrtMode mode)
    {
        mode = text.ToLowerInvariant() switch
        {
            "publish" => SrtMode.Publish,
            "request" or "read" or "play" => SrtMode.Request,
            _ => (SrtMode)(-1),
        };
        return mode != (SrtMode)(-1);
    }
}
