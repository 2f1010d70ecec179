using LiveRelay.Core.Access;
using LiveRelay.Core.Buffers;
using LiveRelay.Core.Media;
using LiveRelay.Core.Streams;
using LiveRelay.Formats.Ts;

namespace LiveRelay.Protocols.Srt;

/// <summary>
/// One stream as MPEG-TS for every SRT reader of it: one reader on the stream, one muxer, each
/// frame serialized once into pooled TS bytes that all SRT readers send. The TS of the current GOP
/// (tables first) is kept, so a new reader starts on a keyframe.
/// </summary>
internal sealed class SrtTsFeed : IDisposable
{
    private readonly object _lock = new();
    private readonly MediaReader _reader;
    private readonly List<MediaBuffer> _gop = [];
    private readonly List<SrtPlaySession> _sessions = [];
    private TsMuxer? _muxer;
    private bool _hasVideo;
    private bool _hasAudio;

    public SrtTsFeed(LiveStream stream)
    {
        Stream = stream;
        _reader = stream.Subscribe("srt-feed", null);
        Completion = Task.Run(RunAsync);
    }

    public LiveStream Stream { get; }

    public Task Completion { get; }

    public int SessionCount
    {
        get
        {
            lock (_lock)
            {
                return _sessions.Count;
            }
        }
    }

    /// <summary>Adds a reader; it first gets the current GOP's TS.</summary>
    public void Add(SrtPlaySession session)
    {
        lock (_lock)
        {
            foreach (var chunk in _gop)
            {
                session.Send(chunk.Span);
            }

            _sessions.Add(session);
        }
    }

    public void Remove(SrtPlaySession session)
    {
        lock (_lock)
        {
            _sessions.Remove(session);
        }
    }

    public void Dispose()
    {
        _reader.Dispose();
        lock (_lock)
        {
            foreach (var chunk in _gop)
            {
                chunk.Release();
            }

            _gop.Clear();
        }
    }

    private async Task RunAsync()
    {
        var writer = new PooledBufferWriter(64 * 1024);
        try
        {
            while (await _reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (_reader.TryRead(out var frame))
                {
                    try
                    {
                        Mux(frame, writer);
                    }
                    finally
                    {
                        frame.Release();
                    }
                }
            }
        }
        finally
        {
            writer.Release();
            lock (_lock)
            {
                foreach (var session in _sessions)
                {
                    session.Close();
                }
            }
        }
    }

    private void Mux(MediaFrame frame, PooledBufferWriter writer)
    {
        if (!TsMuxer.CanCarry(frame.Track.Codec))
        {
            return;
        }

        var video = Stream.VideoTrack is { } v && TsMuxer.CanCarry(v.Codec) ? v : null;
        var audio = Stream.AudioTrack is { Codec: CodecId.Aac } a ? a : null;
        var keyframe = frame.IsKeyframe || (video is null && _gop.Count == 0);
        if (_muxer is null || (keyframe && (_hasVideo != (video is not null) || _hasAudio != (audio is not null))))
        {
            if (!keyframe)
            {
                return;
            }

            _muxer = new TsMuxer(video, audio);
            _hasVideo = video is not null;
            _hasAudio = audio is not null;
        }

        if (keyframe)
        {
            _muxer.WriteTables(writer);
        }

        if (!_muxer.WriteFrame(frame, writer) && writer.WrittenCount == 0)
        {
            return;
        }

        var chunk = writer.Detach(64 * 1024);
        lock (_lock)
        {
            if (keyframe)
            {
                foreach (var old in _gop)
                {
                    old.Release();
                }

                _gop.Clear();
            }

            if (_gop.Count < 4096)
            {
                chunk.AddRef();
                _gop.Add(chunk);
            }

            foreach (var session in _sessions)
            {
                session.Send(chunk.Span);
            }
        }

        chunk.Release();
    }
}

/// <summary>One SRT reader: sends TS in messages of up to 1316 bytes (seven TS packets).</summary>
internal sealed class SrtPlaySession
{
    private volatile bool _closed;

    public SrtPlaySession(SrtSocket socket, string remote, LiveStream stream, StreamViewer viewer, PlaybackGrant grant)
    {
        Socket = socket;
        Remote = remote;
        Stream = stream;
        Viewer = viewer;
        Grant = grant;

        // A revoked share ends the play: the loop's sweep closes it.
        grant.Revoked.Register(static p => ((SrtPlaySession)p!).Close(), this);
    }

    /// <summary>The permission to play; gets the bytes sent at the end.</summary>
    public PlaybackGrant Grant { get; }

    public SrtSocket Socket { get; }

    public string Remote { get; }

    public LiveStream Stream { get; }

    public string Path => Stream.Path;

    /// <summary>How the player is counted with the stream's readers.</summary>
    public StreamViewer Viewer { get; }

    public SrtTransportStatistics Statistics => (SrtTransportStatistics)Viewer.Transport!;

    public bool IsClosed => _closed;

    public long BytesSent { get; private set; }

    /// <summary>Sends TS bytes; a reader whose send fails (gone, or its buffer full) is closed.</summary>
    public void Send(ReadOnlySpan<byte> ts)
    {
        if (_closed)
        {
            return;
        }

        try
        {
            for (var offset = 0; offset < ts.Length; offset += SrtSocket.LivePayloadSize)
            {
                var message = ts.Slice(offset, Math.Min(SrtSocket.LivePayloadSize, ts.Length - offset));
                Socket.Send(message);
                BytesSent += message.Length;
            }
        }
        catch (SrtException)
        {
            _closed = true;
        }
    }

    public void Close() => _closed = true;
}
