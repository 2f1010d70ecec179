using System.Text.Json;
using System.Text.Json.Serialization;

namespace LiveRelay.LoadTest.Reporting;

/// <summary>Writes the whole run (every scenario, every field) as indented JSON.</summary>
internal static class JsonReport
{
    private static readonly JsonSerializerOptions s_options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,

        // Keep "→" and "<" readable in a file meant for people and scripts, not for HTML.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static async Task WriteAsync(string path, RunReport report, CancellationToken cancellationToken)
    {
        var file = File.Create(path);
        await using (file.ConfigureAwait(false))
        {
            await JsonSerializer.SerializeAsync(file, report, s_options, cancellationToken).ConfigureAwait(false);
        }
    }
}
