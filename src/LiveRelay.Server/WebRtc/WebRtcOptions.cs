using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace LiveRelay.Server.WebRtc;

/// <summary><c>LiveRelay:WebRtc</c>: WHIP ingest and WHEP playback.</summary>
public sealed record WebRtcOptions
{
    /// <summary>The one UDP port every WebRTC peer uses (ICE-lite); 0 turns WebRTC off.</summary>
    public int UdpPort { get; init; } = 8189;

    /// <summary>The address the UDP port binds to; empty binds all interfaces.</summary>
    public string Address { get; init; } = "";

    /// <summary>
    /// The host addresses put in SDP answers as candidates (what peers send to): the server's public
    /// or LAN addresses. Empty: the bind address when it is one, else every up IPv4 interface address.
    /// </summary>
    public IReadOnlyList<string> Candidates { get; init; } = [];

    /// <summary>When set, WHIP requests must carry <c>Authorization: Bearer</c> with this token (per-feed keys come with the security issue).</summary>
    public string BearerToken { get; init; } = "";

    /// <summary>Most WebRTC sessions (WHIP and WHEP) at once.</summary>
    public int MaxSessions { get; init; } = 500;

    public IEnumerable<string> Validate()
    {
        if (UdpPort is < 0 or > 65535)
        {
            yield return $"LiveRelay:WebRtc:UdpPort must be 0..65535 (got {UdpPort})";
        }

        if (Address.Length > 0 && !IPAddress.TryParse(Address, out _))
        {
            yield return $"LiveRelay:WebRtc:Address must be an IP address (got {Address})";
        }

        for (var i = 0; i < Candidates.Count; i++)
        {
            if (!IPAddress.TryParse(Candidates[i], out _))
            {
                yield return $"LiveRelay:WebRtc:Candidates:{i} must be an IP address (got {Candidates[i]})";
            }
        }

        if (MaxSessions is < 1 or > 100_000)
        {
            yield return $"LiveRelay:WebRtc:MaxSessions must be 1..100000 (got {MaxSessions})";
        }
    }

    /// <summary>The addresses to advertise, as configured or found.</summary>
    public IReadOnlyList<string> ResolveCandidates()
    {
        if (Candidates.Count > 0)
        {
            return Candidates;
        }

        if (Address.Length > 0 && IPAddress.TryParse(Address, out var bound) && !bound.Equals(IPAddress.Any) && !bound.Equals(IPAddress.IPv6Any))
        {
            return [Address];
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

        return found.Count > 0 ? found : ["127.0.0.1"];
    }
}
