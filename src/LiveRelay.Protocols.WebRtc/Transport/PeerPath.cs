using System.Net;
using System.Net.Sockets;

namespace LiveRelay.Protocols.WebRtc.Transport;

/// <summary>How packets reach a peer: a UDP address on the shared port, or an ICE-TCP connection.</summary>
internal abstract class PeerPath
{
    /// <summary>The peer's address on this path.</summary>
    public abstract IPEndPoint Remote { get; }

    /// <summary>"udp" or "tcp".</summary>
    public abstract string Protocol { get; }

    public abstract void Send(ReadOnlySpan<byte> packet);

    public override string ToString() => $"{Protocol} {Remote}";
}

/// <summary>A peer's address on the shared UDP port.</summary>
internal sealed class UdpPeerPath(WebRtcUdpServer server, IPEndPoint remote) : PeerPath
{
    private readonly SocketAddress _address = server.SocketAddressOf(remote);

    public override IPEndPoint Remote => remote;

    public override string Protocol => "udp";

    public override void Send(ReadOnlySpan<byte> packet) => server.Send(packet, _address, remote);

    public override bool Equals(object? obj) => obj is UdpPeerPath other && other.Remote.Equals(remote);

    public override int GetHashCode() => remote.GetHashCode();
}
