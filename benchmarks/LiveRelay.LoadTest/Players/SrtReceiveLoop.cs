using System.Collections.Concurrent;
using System.Net;
using LiveRelay.LoadTest.Infrastructure;
using LiveRelay.Protocols.Srt;

namespace LiveRelay.LoadTest.Players;

/// <summary>
/// One thread for every SRT reader of the run: a libsrt epoll set over their non-blocking sockets (as
/// the server's <c>SrtServer</c> serves its sockets), draining each ready socket into one shared
/// receive buffer. libsrt itself still runs its own send and receive threads per caller socket.
/// </summary>
internal sealed class SrtReceiveLoop : IDisposable
{
    /// <summary>Ready sockets taken from one epoll wait.</summary>
    private const int EventCapacity = 1024;

    /// <summary>How long one epoll wait blocks, so that the loop notices <see cref="Dispose"/>.</summary>
    private const int WaitMs = 100;

    private readonly ConcurrentDictionary<int, SrtPlayer> _players = new();
    private readonly SrtEpoll _epoll = new(EventCapacity);
    private readonly ManualResetEventSlim _hasPlayers = new(false);

    /// <summary>Big enough for any live-mode message (1316 bytes); only the loop thread reads into it.</summary>
    private readonly byte[] _buffer = new byte[1500];
    private readonly Thread _thread;
    private volatile bool _stopping;

    public SrtReceiveLoop()
    {
        LocalEndPoint = new IPEndPoint(IPAddress.Loopback, FreePorts.NextUdp());
        _thread = new Thread(Run) { IsBackground = true, Name = "SRT readers epoll" };
        _thread.Start();
    }

    /// <summary>
    /// The one local UDP address every reader socket binds to before it connects, so that they share one
    /// libsrt multiplexer (one libsrt send and one receive thread for all readers, instead of two per
    /// reader). The server tells them apart by SRT socket id, as it does for any caller.
    /// </summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Watches a connected, non-blocking reader socket.</summary>
    public void Add(SrtPlayer player, SrtSocket socket)
    {
        _players[socket.Id] = player;
        _epoll.AddReader(socket);
        _hasPlayers.Set();
    }

    /// <summary>Stops watching a reader's socket (before it is closed).</summary>
    public void Remove(SrtSocket socket)
    {
        if (_players.TryRemove(socket.Id, out _))
        {
            _epoll.Remove(socket);
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _hasPlayers.Set();
        _thread.Join(TimeSpan.FromSeconds(5));
        _epoll.Dispose();
        _hasPlayers.Dispose();
    }

    private void Run()
    {
        var ready = new (int, bool, bool)[EventCapacity];
        while (!_stopping)
        {
            if (_players.IsEmpty)
            {
                // libsrt's epoll returns at once when it watches nothing: sleep until a reader comes.
                _hasPlayers.Reset();
                if (_players.IsEmpty)
                {
                    _hasPlayers.Wait(WaitMs);
                }

                continue;
            }

            foreach (var (socket, _, _) in _epoll.Wait(WaitMs, ready))
            {
                if (_players.TryGetValue(socket, out var player) && !player.OnReadable(_buffer, out var ended) && ended is not null)
                {
                    // The link ended: stop watching it at once, or epoll reports its error on every wait.
                    Remove(ended);
                }
            }
        }
    }
}
