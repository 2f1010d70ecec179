using System.Globalization;

namespace LiveRelay.LoadTest.Reporting;

/// <summary>Number formatting for reports (invariant culture, "—" for nothing).</summary>
internal static class Format
{
    public const string None = "—";

    public static string Number(double? value, string format = "0.0") =>
        value is { } v && double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : None;

    public static string Integer(long? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : None;

    public static string MiB(long? kib) => kib is { } v ? (v / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) : None;

    /// <summary>
    /// a / b; "—" when either is missing, and no ratio when b is under <paramref name="floor"/> (the
    /// smallest value the measurement resolves: a ratio against ~0 says nothing).
    /// </summary>
    public static string Ratio(double? a, double? b, double floor = 0) => (a, b) switch
    {
        ({ } x, { } y) when Math.Abs(x) <= floor && Math.Abs(y) <= floor => "both ≈ 0",
        (_, { } y) when y == 0 || Math.Abs(y) < floor => "— (÷ ≈ 0)",
        ({ } x, { } y) when double.IsFinite(x / y) => (x / y).ToString("0.00", CultureInfo.InvariantCulture),
        _ => None,
    };
}
