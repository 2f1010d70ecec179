using System.Net;

namespace LiveRelay.Server.Configuration;

/// <summary>
/// One HTTP listen address from <c>--urls</c> (<c>http://0.0.0.0:8080</c>, <c>http://*:8080</c>,
/// <c>http://localhost:5000</c>, <c>http://[::1]:8080</c>, <c>https://0.0.0.0:8443</c> with the
/// <c>LiveRelay:Tls</c> certificate). Kestrel ignores <c>urls</c> once any endpoint is configured in
/// code, and RTMP is, so the server binds these itself.
/// </summary>
public sealed record ListenAddress(string Host, IPAddress? Address, int Port, bool Https = false)
{
    /// <summary>Parses a <c>;</c>-separated list; false with the offending entry.</summary>
    public static bool TryParseList(string urls, out List<ListenAddress> addresses, out string error)
    {
        addresses = [];
        foreach (var raw in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!TryParse(raw, out var address))
            {
                error = $"'{raw}' is not an http://host:port or https://host:port address";
                return false;
            }

            addresses.Add(address);
        }

        error = addresses.Count == 0 ? "no address given" : "";
        return addresses.Count > 0;
    }

    private static bool TryParse(string url, out ListenAddress address)
    {
        address = null!;
        var https = url.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        if (!https && !url.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var rest = url[(https ? "https://" : "http://").Length..].TrimEnd('/');
        var colon = rest.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(rest[(colon + 1)..], out var port) || port is < 0 or > 65535)
        {
            return false;
        }

        var host = rest[..colon];
        IPAddress? ip;
        if (host is "*" or "+" or "0.0.0.0")
        {
            ip = IPAddress.Any;
        }
        else if (host is "[::]")
        {
            ip = IPAddress.IPv6Any;
        }
        else if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            ip = null;
        }
        else if (!IPAddress.TryParse(host.Trim('[', ']'), out ip))
        {
            return false;
        }

        address = new ListenAddress(host, ip, port, https);
        return true;
    }
}
