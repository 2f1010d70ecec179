using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace LiveRelay.Server.WebRtc;

/// <summary><c>LiveRelay:WebRtc</c>: WHIP ingest and WHEP playback.</summary>
public sealed record WebRtcOptions
{
    /// <summary>The one UDP port every WebRTC peer uses (ICE-lite); 0 turns WebRTC off.</summary>
    public int UdpPort { get; init; } = 8189;

    /// <summary>
    /// The ICE-TCP port (RFC 6544, passive): peers whose UDP is blocked connect here; 0 turns it off.
    /// Answers list it after the UDP candidates, with the same addresses.
    /// </summary>
    public int TcpPort { get; init; } = 8189;

    /// <summary>The address the UDP (and ICE-TCP) port binds to; empty binds all interfaces.</summary>
    public string Address { get; init; } = "";

    /// <summary>
    /// The host candidates put in SDP answers (where peers send to): the server's public or LAN
    /// addresses, each <c>address</c> or <c>address:port</c> (a port forwarded to <see cref="UdpPort"/>
    /// by NAT or a container). Empty: the bind address when it is one, else every up IPv4 interface address.
    /// </summary>
    public IReadOnlyList<string> Candidates { get; init; } = [];

    /// <summary>When set, WHIP requests must carry <c>Authorization: Bearer</c> with this token (per-feed keys come with the security issue).</summary>
    public string BearerToken { get; init; } = "";

    /// <summary>Most WebRTC sessions (WHIP and WHEP) at once.</summary>
    public int MaxSessions { get; init; } = 500;

    /// <summary>Most WHIP + WHEP sessions from one IP address (0: no limit); the server sets it from <c>LiveRelay:Limits:MaxConnectionsPerAddress</c>.</summary>
    public int MaxSessionsPerAddress { get; init; }

    public IEnumerable<string> Validate()
    {
        if (UdpPort is < 0 or > 65535)
        {
            yield return $"LiveRelay:WebRtc:UdpPort must be 0..65535 (got {UdpPort})";
        }

        if (TcpPort is < 0 or > 65535)
        {
            yield return $"LiveRelay:WebRtc:TcpPort must be 0..65535 (got {TcpPort})";
        }

        if (Address.Length > 0 && !IPAddress.TryParse(Address, out _))
        {
            yield return $"LiveRelay:WebRtc:Address must be an IP address (got {Address})";
        }

        for (var i = 0; i < Candidates.Count; i++)
        {
            if (!IPAddress.TryParse(Candidates[i], out _) && !(IPEndPoint.TryParse(Candidates[i], out var endpoint) && endpoint.Port > 0))
            {
                yield return $"LiveRelay:WebRtc:Candidates:{i} must be an IP address or address:port (got {Candidates[i]})";
            }
        }

        if (MaxSessions is < 1 or > 100_000)
        {
            yield return $"LiveRelay:WebRtc:MaxSessions must be 1..100000 (got {MaxSessions})";
        }
    }

    /// <summary>The addresses and ports to advertise, as configured or found (the UDP port where none is named).</summary>
    public IReadOnlyList<(string Address, int Port)> ResolveCandidates(int udpPort)
    {
        if (Candidates.Count > 0)
        {
            return [.. Candidates.Select(c => IPAddress.TryParse(c, out var address) ? (address.ToString(), udpPort) : (IPEndPoint.Parse(c).Address.ToString(), IPEndPoint.Parse(c).Port))];
        }

        if (Address.Length > 0 && IPAddress.TryParse(Address, out var bound) && !bound.Equals(IPAddress.Any) && !bound.Equals(IPAddress.IPv6Any))
        {
            return [(Address, udpPort)];
        }

        List<string> found = [];
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (nic.OperationalStatus != OperationalStatus.Up)
            {
                continue;
            }

            foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
            {
                if (unicast.Address.AddressFamily == AddressFamily.InterNetwork)
                {
                    found.Add(unicast.Address.ToString());
                }
            }
        }

        return [.. (found.Count > 0 ? found : ["127.0.0.1"]).Select(a => (a, udpPort))];
    }
}
