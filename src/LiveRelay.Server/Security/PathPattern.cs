using System.Diagnostics.CodeAnalysis;
using LiveRelay.Core.Streams;

namespace LiveRelay.Server.Security;

/// <summary>A path rule in configuration: one stream (<c>live/cam1</c>) or a whole app (<c>live/*</c>).</summary>
public sealed record PathPattern(string Prefix, bool WholeApp)
{
    public bool Matches(string path) =>
        WholeApp ? path.StartsWith(Prefix, StringComparison.Ordinal) : string.Equals(path, Prefix, StringComparison.Ordinal);

    public static bool TryParse(string? text, [NotNullWhen(true)] out PathPattern? pattern, out string error)
    {
        pattern = null;
        text = text?.Trim() ?? "";
        if (text.EndsWith("/*", StringComparison.Ordinal))
        {
            var app = text[..^2];
            if (app.Length == 0 || app.Contains('/', StringComparison.Ordinal) || !StreamPath.TryNormalize(app + "/x", out _, out error))
            {
                error = $"'{text}' is not app/* with a valid app name";
                return false;
            }

            pattern = new PathPattern(app + "/", true);
            error = "";
            return true;
        }

        if (!StreamPath.TryNormalize(text, out var path, out error) || path != text)
        {
            error = $"'{text}' is not a stream path (app/stream) or app/*";
            return false;
        }

        pattern = new PathPattern(path, false);
        return true;
    }

    /// <summary>Parses validated configuration (<see cref="Configuration.AuthOptions.Validate"/> ran first).</summary>
    public static PathPattern[] ParseAll(IEnumerable<string> texts) =>
        [.. texts.Select(t => TryParse(t, out var p, out var e) ? p : throw new InvalidOperationException(e))];
}
