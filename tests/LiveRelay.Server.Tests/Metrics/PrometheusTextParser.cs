using System.Globalization;
using System.Text.RegularExpressions;

namespace LiveRelay.Testing;

/// <summary>
/// A strict reader of the Prometheus text exposition format 0.0.4, for tests: it throws
/// <see cref="FormatException"/> naming the line for anything a Prometheus server would reject
/// or misread (bad names, label syntax, escapes, values, TYPE after samples, split families,
/// duplicate series, histograms whose buckets are not cumulative or lack +Inf, _sum and _count).
/// </summary>
public static partial class PrometheusTextParser
{
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
    {
        public string Label(string name) => Labels.TryGetValue(name, out var value) ? value : "";
    }

    public sealed record Family(string Name, string Type, string? Help, List<Sample> Samples);

    public static Dictionary<string, Family> Parse(string text)
    {
        if (text.Length > 0 && !text.EndsWith('\n'))
        {
            throw new FormatException("the exposition must end with a line feed");
        }

        var families = new Dictionary<string, Family>(StringComparer.Ordinal);
        var seriesSeen = new HashSet<string>(StringComparer.Ordinal);
        var closed = new HashSet<string>(StringComparer.Ordinal);
        string? current = null;
        var lines = text.Split('\n');
        for (var n = 0; n < lines.Length - 1; n++)
        {
            var line = lines[n];
            try
            {
                if (line.Length == 0)
                {
                    continue;
                }

                if (line.StartsWith("# HELP ", StringComparison.Ordinal) || line.StartsWith("# TYPE ", StringComparison.Ordinal))
                {
                    var parts = line[7..].Split(' ', 2);
                    var name = parts[0];
                    RequireMetricName(name);
                    var family = Open(families, closed, ref current, name);
                    if (line[2] == 'T')
                    {
                        var type = parts.Length > 1 ? parts[1] : "";
                        if (type is not ("counter" or "gauge" or "histogram" or "summary" or "untyped"))
                        {
                            throw new FormatException($"unknown type '{type}'");
                        }

                        if (family.Samples.Count > 0 || family.Type != "untyped")
                        {
                            throw new FormatException("TYPE must come once, before the family's samples");
                        }

                        families[name] = family with { Type = type };
                    }
                    else
                    {
                        if (family.Help is not null)
                        {
                            throw new FormatException("HELP given twice");
                        }

                        families[name] = family with { Help = parts.Length > 1 ? parts[1] : "" };
                    }

                    continue;
                }

                if (line.StartsWith('#'))
                {
                    continue;
                }

                var sample = ParseSample(line);
                var owner = FamilyOf(sample.Name, families);
                var target = Open(families, closed, ref current, owner);
                var key = sample.Name + "{" + string.Join(",", sample.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")) + "}";
                if (!seriesSeen.Add(key))
                {
                    throw new FormatException($"duplicate series {key}");
                }

                target.Samples.Add(sample);
            }
            catch (FormatException ex)
            {
                throw new FormatException($"line {n + 1} '{line}': {ex.Message}", ex);
            }
        }

        foreach (var family in families.Values)
        {
            Check(family);
        }

        return families;
    }

    private static Family Open(Dictionary<string, Family> families, HashSet<string> closed, ref string? current, string name)
    {
        if (current != name)
        {
            if (closed.Contains(name))
            {
                throw new FormatException($"the lines of family {name} are not together");
            }

            if (current is not null)
            {
                closed.Add(current);
            }

            current = name;
        }

        if (!families.TryGetValue(name, out var family))
        {
            family = new Family(name, "untyped", null, []);
            families[name] = family;
        }

        return family;
    }

    /// <summary>Histogram samples (_bucket, _sum, _count) belong to the family without the suffix.</summary>
    private static string FamilyOf(string sampleName, Dictionary<string, Family> families)
    {
        foreach (var suffix in (string[])["_bucket", "_sum", "_count"])
        {
            if (sampleName.EndsWith(suffix, StringComparison.Ordinal)
                && families.TryGetValue(sampleName[..^suffix.Length], out var family)
                && family.Type is "histogram" or "summary")
            {
                return family.Name;
            }
        }

        return sampleName;
    }

    private static Sample ParseSample(string line)
    {
        var match = SampleLine().Match(line);
        if (!match.Success)
        {
            throw new FormatException("not a sample line");
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var labelText = match.Groups["labels"].Value;
        var position = 0;
        while (position < labelText.Length)
        {
            var label = Label().Match(labelText, position);
            if (!label.Success || label.Index != position)
            {
                throw new FormatException($"bad label syntax at '{labelText[position..]}'");
            }

            var value = Unescape(label.Groups["value"].Value);
            if (!labels.TryAdd(label.Groups["name"].Value, value))
            {
                throw new FormatException($"label {label.Groups["name"].Value} repeated");
            }

            position += label.Length;
        }

        return new Sample(match.Groups["name"].Value, labels, ParseValue(match.Groups["value"].Value));
    }

    private static string Unescape(string value)
    {
        var result = new System.Text.StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != '\\')
            {
                result.Append(value[i]);
                continue;
            }

            result.Append(++i < value.Length ? value[i] switch
            {
                '\\' => '\\',
                '"' => '"',
                'n' => '\n',
                _ => throw new FormatException($"unknown escape \\{value[i]}"),
            } : throw new FormatException("dangling backslash"));
        }

        return result.ToString();
    }

    public static double ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"'{text}' is not a number"),
    };

    private static void RequireMetricName(string name)
    {
        if (!MetricName().IsMatch(name))
        {
            throw new FormatException($"'{name}' is not a metric name");
        }
    }

    private static void Check(Family family)
    {
        if (family.Type == "counter" && family.Samples.Any(s => s.Value < 0 || double.IsNaN(s.Value)))
        {
            throw new FormatException($"counter {family.Name} has a negative or NaN value");
        }

        if (family.Type != "histogram")
        {
            if (family.Samples.Any(s => s.Name != family.Name))
            {
                throw new FormatException($"family {family.Name} has samples of another name");
            }

            return;
        }

        foreach (var series in family.Samples.GroupBy(s => string.Join(",", s.Labels.Where(l => l.Key != "le").OrderBy(l => l.Key).Select(l => $"{l.Key}={l.Value}"))))
        {
            var buckets = series.Where(s => s.Name == family.Name + "_bucket").ToList();
            var count = series.SingleOrDefault(s => s.Name == family.Name + "_count") ?? throw new FormatException($"{family.Name}{{{series.Key}}} has no _count");
            _ = series.SingleOrDefault(s => s.Name == family.Name + "_sum") ?? throw new FormatException($"{family.Name}{{{series.Key}}} has no _sum");
            if (buckets.Any(b => !b.Labels.ContainsKey("le")))
            {
                throw new FormatException($"{family.Name} has a bucket without le");
            }

            var ordered = buckets.Select(b => (Le: ParseValue(b.Labels["le"]), b.Value)).ToList();
            if (ordered.Count == 0 || !double.IsPositiveInfinity(ordered[^1].Le))
            {
                throw new FormatException($"{family.Name} must end with an le=\"+Inf\" bucket");
            }

            for (var i = 1; i < ordered.Count; i++)
            {
                if (ordered[i].Le <= ordered[i - 1].Le || ordered[i].Value < ordered[i - 1].Value)
                {
                    throw new FormatException($"{family.Name} buckets are not increasing and cumulative");
                }
            }

            if (ordered[^1].Value != count.Value)
            {
                throw new FormatException($"{family.Name} +Inf bucket differs from _count");
            }
        }
    }

    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>\S+)( -?\d+)?$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"(?<name>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>(\\.|[^""\\])*)"",?")]
    private static partial Regex Label();
}
