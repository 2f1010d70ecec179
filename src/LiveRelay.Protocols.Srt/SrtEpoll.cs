using LiveRelay.Protocols.Srt.Native;

namespace LiveRelay.Protocols.Srt;

/// <summary>
/// One libsrt epoll set: every SRT socket of the server is watched by one loop thread
/// (no thread per connection).
/// </summary>
public sealed class SrtEpoll : IDisposable
{
    private readonly int _id;
    private readonly SrtEpollEvent[] _events;
    private int _disposed;

    public SrtEpoll(int capacity = 256)
    {
        _id = SrtException.ThrowIfError(SrtNative.EpollCreate(), "epoll_create");
        _events = new SrtEpollEvent[capacity];
    }

    /// <summary>Watches a socket for reads (and accepts) and errors.</summary>
    public unsafe void AddReader(SrtSocket socket)
    {
        var events = SrtEpollEvent.In | SrtEpollEvent.Err;
        SrtException.ThrowIfError(SrtNative.EpollAdd(_id, socket.Id, &events), "epoll_add_usock");
    }

    public void Remove(SrtSocket socket) => SrtNative.EpollRemove(_id, socket.Id);

    /// <summary>Waits up to <paramref name="timeoutMs"/>; returns the ready sockets' ids and events.</summary>
    public unsafe ReadOnlySpan<(int Socket, bool Readable, bool Failed)> Wait(int timeoutMs, Span<(int, bool, bool)> ready)
    {
        int count;
        fixed (SrtEpollEvent* events = _events)
        {
            count = SrtNative.EpollWait(_id, events, Math.Min(_events.Length, ready.Length), timeoutMs);
        }

        if (count <= 0)
        {
            // 0 is a timeout; libsrt returns -1 (SRT_ETIMEOUT) when nothing is watched.
            return [];
        }

        for (var i = 0; i < count; i++)
        {
            ready[i] = (_events[i].Socket, (_events[i].Events & SrtEpollEvent.In) != 0, (_events[i].Events & SrtEpollEvent.Err) != 0);
        }

        return ready[..count];
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            SrtNative.EpollRelease(_id);
        }
    }
}
