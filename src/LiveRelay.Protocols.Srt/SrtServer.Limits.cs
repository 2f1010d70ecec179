using System.Collections.Concurrent;
using System.Net;

namespace LiveRelay.Protocols.Srt;

/// <summary>
/// Connection limits for SRT: the sockets open now, in total and per caller address, counted on the
/// loop thread (accept adds, every close removes) and read by the admission hook, which refuses a caller
/// over a limit before its handshake completes (SRT_REJX_OVERLOAD, 1402) and says which limit.
/// </summary>
public sealed partial class SrtServer
{
    private readonly ConcurrentDictionary<IPAddress, int> _openByAddress = new();
    private readonly Dictionary<int, IPAddress> _addressOf = [];
    private int _open;

    /// <summary>Null when a caller from <paramref name="remote"/> may connect; else the limit it is over.</summary>
    private string? OverLimit(IPEndPoint? remote)
    {
        if (_options.MaxConnections > 0 && Volatile.Read(ref _open) >= _options.MaxConnections)
        {
            return $"the server has {_options.MaxConnections} SRT connections, the most it takes (LiveRelay:Limits:MaxConnections)";
        }

        return _options.MaxConnectionsPerAddress > 0 && remote is not null
            && _openByAddress.TryGetValue(remote.Address, out var count) && count >= _options.MaxConnectionsPerAddress
            ? $"{remote.Address} has {count} SRT connections, the most one address may have (LiveRelay:Limits:MaxConnectionsPerAddress)"
            : null;
    }

    /// <summary>Counts an accepted socket (loop thread).</summary>
    private void Track(SrtSocket socket, IPEndPoint? remote)
    {
        Interlocked.Increment(ref _open);
        if (remote is not null)
        {
            _addressOf[socket.Id] = remote.Address;
            _openByAddress.AddOrUpdate(remote.Address, 1, static (_, n) => n + 1);
        }
    }

    /// <summary>Stops counting a socket that is being closed (loop thread); once per socket.</summary>
    private void Untrack(SrtSocket socket)
    {
        if (!_addressOf.Remove(socket.Id, out var address))
        {
            return;
        }

        Interlocked.Decrement(ref _open);
        while (_openByAddress.TryGetValue(address, out var count))
        {
            if (count <= 1 ? _openByAddress.TryRemove(new KeyValuePair<IPAddress, int>(address, count)) : _openByAddress.TryUpdate(address, count - 1, count))
            {
                return;
            }
        }
    }
}
