namespace LiveRelay.Protocols.WebRtc.Stun;

/// <summary>The class of a STUN message (RFC 5389 §6): the C1 and C0 bits of the message type.</summary>
public enum StunClass
{
    Request = 0,
    Indication = 1,
    SuccessResponse = 2,
    ErrorResponse = 3,
}
