using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LiveRelay.Protocols.Srt.Native;
using Microsoft.Extensions.Logging;

namespace LiveRelay.Protocols.Srt;

/// <summary>
/// Routes libsrt's own log lines into the application log instead of the process's stderr. A remote
/// peer can make libsrt log (it warns once per handshake packet of a refused caller, and reports a bad
/// handshake as an error), so only the one line that says libsrt itself refused a caller (a wrong or
/// missing passphrase, a version or option mismatch) becomes a warning, naming the caller and the
/// reason; handshake details go to debug, other errors to warnings, critical lines to errors.
/// </summary>
public static partial class SrtLibraryLog
{
    // syslog levels, as libsrt uses them.
    private const int LogCritical = 2;
    private const int LogError = 3;
    private const int LogWarning = 4;

    // SRT_LOGF_DISABLE_TIME | _THREADNAME | _SEVERITY | _EOL: the application log adds its own.
    private const int PlainMessages = 0x1 | 0x2 | 0x4 | 0x8;

    // "processConnectRequest: rsp(REJECT): 1010 - Incorrect passphrase"; 1000 + SRT_REJ_* for libsrt's
    // own reasons, 2000 + SRT_REJX_* for the application's (which the server has logged already).
    private const string RejectMarker = "rsp(REJECT): ";
    private const int LibraryRejectBase = 1000;
    private const int ApplicationRejectBase = 2000;

    private static ILogger? s_logger;

    // The caller whose handshake libsrt's receiver thread is processing: set by the admission hook,
    // which libsrt runs on the same thread just before it checks the passphrase.
    [ThreadStatic]
    private static string? t_caller;

    /// <summary>Sends libsrt's log lines to <paramref name="logger"/> from now on.</summary>
    public static unsafe void RouteTo(ILogger logger)
    {
        s_logger = logger;
        SrtNative.SetLogFlags(PlainMessages);
        SrtNative.SetLogHandler(0, &OnLog);
        SrtNative.SetLogLevel(LogWarning);
    }

    /// <summary>Remembers which caller the current libsrt thread is deciding about.</summary>
    internal static void SetCaller(string caller) => t_caller = caller;

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static unsafe void OnLog(nint opaque, int level, byte* file, int line, byte* area, byte* message)
    {
        try
        {
            if (s_logger is { } logger)
            {
                Write(logger, level, Marshal.PtrToStringUTF8((nint)area) ?? "", (Marshal.PtrToStringUTF8((nint)message) ?? "").Trim().TrimStart(':', ' '));
            }
        }
        catch (Exception)
        {
            // Nothing may unwind into libsrt.
        }
    }

    private static void Write(ILogger logger, int level, string area, string message)
    {
        if (level <= LogCritical)
        {
            Log.Library(logger, LogLevel.Error, area, message);
            return;
        }

        var marker = message.IndexOf(RejectMarker, StringComparison.Ordinal);
        if (marker >= 0 && TryParseReject(message.AsSpan(marker + RejectMarker.Length), out var code, out var reason)
            && code is >= LibraryRejectBase and < ApplicationRejectBase)
        {
            Log.LibraryRefused(logger, t_caller ?? "unknown caller", reason, code - LibraryRejectBase);
            return;
        }

        var handshake = area.StartsWith("interpretSrtHandshake", StringComparison.Ordinal) || area.StartsWith("processSrtMsg", StringComparison.Ordinal);
        Log.Library(logger, level <= LogError && !handshake ? LogLevel.Warning : LogLevel.Debug, area, message);
    }

    private static bool TryParseReject(ReadOnlySpan<char> text, out int code, out string reason)
    {
        var dash = text.IndexOf(" - ", StringComparison.Ordinal);
        reason = dash >= 0 ? text[(dash + 3)..].ToString() : "";
        return int.TryParse(dash >= 0 ? text[..dash] : text, NumberStyles.None, CultureInfo.InvariantCulture, out code);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1420, Message = "libsrt [{Area}]: {Message}")]
        public static partial void Library(ILogger logger, LogLevel level, string area, string message);

        [LoggerMessage(1421, LogLevel.Warning, "SRT caller {Caller} refused: {Reason} (reject reason {RejectCode})")]
        public static partial void LibraryRefused(ILogger logger, string caller, string reason, int rejectCode);
    }
}
