using System.Runtime.InteropServices;
using LiveRelay.Protocols.Srt.Native;

namespace LiveRelay.Protocols.Srt;

/// <summary>A libsrt call failed; the message is libsrt's own (<c>srt_getlasterror_str</c>).</summary>
public sealed class SrtException(string operation, int code, string detail) : Exception($"SRT {operation} failed: {detail} (code {code})")
{
    /// <summary>libsrt's error code (major × 1000 + minor).</summary>
    public int Code { get; } = code;

    /// <summary>Throws with libsrt's last error for this thread when <paramref name="result"/> is -1.</summary>
    internal static int ThrowIfError(int result, string operation)
    {
        if (result != SrtNative.Error)
        {
            return result;
        }

        throw Last(operation);
    }

    internal static unsafe SrtException Last(string operation)
    {
        int errno;
        var code = SrtNative.GetLastError(&errno);
        var text = Marshal.PtrToStringUTF8(SrtNative.GetLastErrorString()) ?? "unknown error";
        return new SrtException(operation, code, text);
    }
}
