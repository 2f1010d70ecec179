namespace LiveRelay.Protocols.WebRtc.Sdp;

/// <summary>What our side of an answer says: direction, ICE-lite credentials and candidates, DTLS fingerprint, SSRCs.</summary>
public sealed record WebRtcAnswerOptions
{
    /// <summary>True for WHIP (we receive: answer recvonly, the offer must send); false for WHEP (we send: answer sendonly, the offer must receive).</summary>
    public required bool Receive { get; init; }

    /// <summary>Our ICE ufrag (see <see cref="Stun.IceCredentials.NewUfrag"/>).</summary>
    public required string IceUfrag { get; init; }

    /// <summary>Our ICE password (see <see cref="Stun.IceCredentials.NewPassword"/>).</summary>
    public required string IcePwd { get; init; }

    /// <summary>Our DTLS certificate fingerprint as SDP writes it: <c>sha-256 AB:CD:…</c>.</summary>
    public required string Fingerprint { get; init; }

    /// <summary>The SDP o= session id: decimal digits.</summary>
    public required string SessionId { get; init; }

    /// <summary>Host UDP candidates (address, port).</summary>
    public IReadOnlyList<(string Address, int Port)> UdpCandidates { get; init; } = [];

    /// <summary>Host ICE-TCP passive candidates (RFC 6544); may be empty.</summary>
    public IReadOnlyList<(string Address, int Port)> TcpCandidates { get; init; } = [];

    /// <summary>The SSRC we send video with (WHEP).</summary>
    public uint VideoSsrc { get; init; }

    /// <summary>The SSRC we retransmit video with (WHEP, when rtx is negotiated); none signalled when null.</summary>
    public uint? VideoRtxSsrc { get; init; }

    /// <summary>The SSRC we send audio with (WHEP).</summary>
    public uint AudioSsrc { get; init; }
}
