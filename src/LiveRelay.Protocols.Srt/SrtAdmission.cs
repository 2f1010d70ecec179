using System.Net;

namespace LiveRelay.Protocols.Srt;

/// <summary>
/// Decides about an SRT caller before its handshake completes: returns 0 to admit it, or an
/// <see cref="SrtRejectReason"/> code to refuse it (the caller sees the code).
/// </summary>
/// <param name="streamId">The streamid the caller sent ("" when none).</param>
/// <param name="remote">The caller's address.</param>
/// <param name="caller">The socket being accepted, for options that differ per caller (a feed's own passphrase).</param>
public delegate int SrtAdmission(string streamId, IPEndPoint? remote, SrtCaller caller);

/// <summary>The socket libsrt is about to accept, as the admission hook sees it.</summary>
public readonly struct SrtCaller
{
    private readonly int _socket;

    internal SrtCaller(int socket) => _socket = socket;

    /// <summary>
    /// Sets the passphrase this caller must use (libsrt's documented way to have one per stream: set on
    /// the new socket inside the listen callback). A caller with another passphrase, or none, then fails
    /// the handshake with libsrt's own reject reason (BADSECRET / UNSECURE).
    /// </summary>
    public unsafe void SetPassphrase(string passphrase)
    {
        ArgumentNullException.ThrowIfNull(passphrase);
        var bytes = System.Text.Encoding.UTF8.GetBytes(passphrase);
        fixed (byte* p = bytes)
        {
            SrtException.ThrowIfError(Native.SrtNative.SetSockFlag(_socket, Native.SrtOption.Passphrase, p, bytes.Length), "set the caller's passphrase");
        }
    }
}

/// <summary>Reject reasons a listener sends to refused callers (<c>SRT_REJX_*</c> in access_control.h, HTTP-like).</summary>
public static class SrtRejectReason
{
    /// <summary>SRT_REJX_BAD_REQUEST: the streamid is malformed.</summary>
    public const int BadRequest = 1400;

    /// <summary>SRT_REJX_UNAUTHORIZED: the credentials in the streamid were not accepted.</summary>
    public const int Unauthorized = 1401;

    /// <summary>SRT_REJX_OVERLOAD: the server is over a connection limit.</summary>
    public const int Overload = 1402;

    /// <summary>SRT_REJX_FORBIDDEN: access to the resource is denied.</summary>
    public const int Forbidden = 1403;

    /// <summary>SRT_REJX_NOTFOUND: nothing is live at the requested path.</summary>
    public const int NotFound = 1404;

    /// <summary>SRT_REJX_CONFLICT: the path is already being published.</summary>
    public const int Conflict = 1409;

    /// <summary>SRT_REJX_ISE: the server failed while deciding.</summary>
    public const int InternalError = 1500;

    /// <summary>libsrt's own code for a wrong passphrase (SRT_REJ_BADSECRET).</summary>
    public const int BadSecret = 10;

    /// <summary>libsrt's own code for a passphrase missing on one side (SRT_REJ_UNSECURE).</summary>
    public const int Unsecure = 11;
}
