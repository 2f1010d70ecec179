using System.Collections.Concurrent;
using System.Net;
using LiveRelay.Core.Diagnostics;
using LiveRelay.Server.Configuration;
using Microsoft.AspNetCore.Connections;

namespace LiveRelay.Server.Security;

/// <summary>
/// Kestrel connection middleware in front of every TCP listener (HTTP, HTTPS, RTMP, RTMPS): a connection
/// over the total or per-address limit is closed before a byte is read (before TLS too), counted in
/// <c>liverelay_connections_rejected_total{reason="limit_total"|"limit_address"}</c> and logged once a
/// minute per limit and address with the number refused since.
/// </summary>
public sealed partial class ConnectionLimiter(LimitsOptions limits, LiveRelayMetrics metrics, ILogger<ConnectionLimiter> logger)
{
    private static readonly TimeSpan s_logEvery = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<IPAddress, int> _perAddress = new();
    private readonly ConcurrentDictionary<(string Limit, IPAddress? Address), (long At, int Suppressed)> _logged = new();
    private int _total;

    /// <summary>Open connections now.</summary>
    public int Open => Volatile.Read(ref _total);

    public Func<ConnectionDelegate, ConnectionDelegate> For(string protocol) => next => async connection =>
    {
        var address = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        var refusal = Admit(address);
        if (refusal is not null)
        {
            metrics.ConnectionRejected(protocol, refusal);
            Note(refusal, protocol, address);
            connection.Abort(new ConnectionAbortedException($"connection limit ({refusal})"));
            return;
        }

        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            Release(address);
        }
    };

    private string? Admit(IPAddress? address)
    {
        if (Interlocked.Increment(ref _total) > limits.MaxConnections)
        {
            Interlocked.Decrement(ref _total);
            return "limit_total";
        }

        if (address is not null && _perAddress.AddOrUpdate(address, 1, static (_, n) => n + 1) > limits.MaxConnectionsPerAddress)
        {
            Release(address);
            return "limit_address";
        }

        return null;
    }

    private void Release(IPAddress? address)
    {
        Interlocked.Decrement(ref _total);
        if (address is null)
        {
            return;
        }

        while (_perAddress.TryGetValue(address, out var count))
        {
            if (count <= 1 ? _perAddress.TryRemove(new KeyValuePair<IPAddress, int>(address, count)) : _perAddress.TryUpdate(address, count - 1, count))
            {
                return;
            }
        }
    }

    private void Note(string limit, string protocol, IPAddress? address)
    {
        var key = (limit, limit == "limit_total" ? null : address);
        var now = Environment.TickCount64;
        var log = false;
        var quiet = 0;
        if (_logged.TryAdd(key, (now, 0)))
        {
            log = true;
        }
        else
        {
            while (_logged.TryGetValue(key, out var last))
            {
                var next = now - last.At < (long)s_logEvery.TotalMilliseconds ? (last.At, last.Suppressed + 1) : (now, 0);
                if (_logged.TryUpdate(key, next, last))
                {
                    (log, quiet) = next.Item1 == now && last.At != now ? (true, last.Suppressed) : (false, 0);
                    break;
                }
            }
        }

        if (log)
        {
            var max = limit == "limit_total" ? limits.MaxConnections : limits.MaxConnectionsPerAddress;
            Log.Refused(logger, protocol, address?.ToString() ?? "?", limit == "limit_total" ? "LiveRelay:Limits:MaxConnections" : "LiveRelay:Limits:MaxConnectionsPerAddress", max, quiet);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2910, LogLevel.Warning, "Refused a {Protocol} connection from {RemoteAddress}: over {Limit} ({Max}); {Quiet} more refused quietly in the last minute")]
        public static partial void Refused(ILogger logger, string protocol, string remoteAddress, string limit, int max, int quiet);
    }
}
