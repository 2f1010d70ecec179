namespace LiveRelay.Formats.Amf;

/// <summary>The .NET numeric types that AMF 0 carries as a number (an IEEE 754 double).</summary>
internal static class AmfNumber
{
    public static bool TryConvert(object? value, out double number)
    {
        switch (value)
        {
            case double d: number = d; return true;
            case float f: number = f; return true;
            case int i: number = i; return true;
            case long l: number = l; return true;
            case uint ui: number = ui; return true;
            case ulong ul: number = ul; return true;
            case short s: number = s; return true;
            case ushort us: number = us; return true;
            case byte b: number = b; return true;
            case sbyte sb: number = sb; return true;
            default: number = 0; return false;
        }
    }
}
