using LiveRelay.Core.Streams;

namespace LiveRelay.Protocols.Rtmp.Session;

/// <summary>
/// Turns RTMP's app (from connect) and stream name (from publish/play) into a stream path and
/// query parameters. Handles OBS's "Server + Stream Key" form (<c>rtmp://host/live</c> + key
/// <c>cam1?key=abc</c>), keys or queries on the app (<c>live?key=abc</c>), nested apps
/// (<c>live/north</c>) and a whole path in the name when the app is empty.
/// </summary>
public static class RtmpStreamName
{
    /// <summary>Resolves the path; false with a reason the client can be told.</summary>
    public static bool TryResolve(string? app, string? name, out string path, out IReadOnlyDictionary<string, string> query, out string error)
    {
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var appPart = SplitQuery(app ?? "", parameters);
        var namePart = SplitQuery(name ?? "", parameters);
        query = parameters;

        namePart = namePart.Trim('/');
        appPart = appPart.Trim('/');
        if (namePart.Length == 0)
        {
            path = "";
            error = "the stream name is empty";
            return false;
        }

        // Some clients repeat the app in the name (play "live/cam1" with app "live").
        var raw = appPart.Length == 0 || namePart.StartsWith(appPart + "/", StringComparison.Ordinal)
            ? namePart
            : appPart + "/" + namePart;
        return StreamPath.TryNormalize(raw, out path, out error);
    }

    private static string SplitQuery(string value, Dictionary<string, string> parameters)
    {
        var question = value.IndexOf('?');
        if (question < 0)
        {
            return value;
        }

        foreach (var pair in value[(question + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            var key = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            var val = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
            if (key.Length > 0 && parameters.Count < 32)
            {
                parameters[key] = val;
            }
        }

        return value[..question];
    }
}
