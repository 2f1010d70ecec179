namespace LiveRelay.Formats.Ts;

public sealed partial class TsDemuxer
{
    private const int PesFixedLength = 6; // packet_start_code_prefix 24 | stream_id 8 | PES_packet_length 16
    private const long TimestampMask = TsPacket.TimestampModulus - 1;

    private readonly Dictionary<int, ElementaryStream> _streams = [];
    private readonly HashSet<(int Pid, int StreamType)> _reportedUnsupported = [];
    private long _lastTimestamp = long.MinValue;

    private enum ElementaryKind
    {
        Unsupported,
        H264,
        H265,
        AacAdts,
    }

    private void OnPesPayload(ElementaryStream stream, in TsPacketHeader header, ReadOnlySpan<byte> payload)
    {
        if (header.PayloadUnitStart)
        {
            CompletePes(stream);
            stream.Pes.Start();
        }

        if (!stream.Pes.Active || payload.IsEmpty)
        {
            return;
        }

        if (stream.Pes.Length + payload.Length > _maxPesLength)
        {
            DropPes(stream); // limits first: never grow past the bound
            return;
        }

        stream.Pes.Append(payload);

        //  packet_start_code_prefix 24 | stream_id 8 | PES_packet_length 16 (0 = until the next unit start)
        var data = stream.Pes.Data;
        if (data.Length >= PesFixedLength)
        {
            var declared = data[4] << 8 | data[5];
            if (declared != 0 && data.Length >= PesFixedLength + declared)
            {
                CompletePes(stream);
            }
        }
    }

    private void DropPes(ElementaryStream stream)
    {
        if (stream.Pes.Active)
        {
            DroppedPes++;
        }

        stream.Pes.Reset();
    }

    private void CompletePes(ElementaryStream stream)
    {
        if (!stream.Pes.Active)
        {
            return;
        }

        var data = stream.Pes.Data;
        if (!PesHeader.TryParse(data, out var header))
        {
            DropPes(stream);
            return;
        }

        var end = header.PacketLength == 0 ? data.Length : Math.Min(data.Length, PesFixedLength + header.PacketLength);
        if (end < header.HeaderLength)
        {
            DropPes(stream);
            return;
        }

        var payload = data[header.HeaderLength..end];
        long? dts = null, pts = null;
        if (header.Pts is { } rawPts)
        {
            var rawDts = header.Dts ?? rawPts;
            dts = Unfold(rawDts);
            pts = dts + Signed33(rawPts - rawDts);
        }

        var accepted = stream.Kind switch
        {
            ElementaryKind.H264 => OnVideo<H264Video>(stream, payload, dts, pts),
            ElementaryKind.H265 => OnVideo<H265Video>(stream, payload, dts, pts),
            ElementaryKind.AacAdts => OnAdts(stream, payload, pts),
            _ => true,
        };

        if (accepted)
        {
            stream.Pes.Reset();
        }
        else
        {
            DropPes(stream);
        }
    }

    // 33-bit timestamps wrap every ~26.5 h. One reference for all streams of the program keeps audio
    // and video on the same unfolded timeline: each value lands within ±2^32 ticks of the last one.
    private long Unfold(long raw)
    {
        if (_lastTimestamp == long.MinValue)
        {
            _lastTimestamp = raw;
            return raw;
        }

        var unfolded = _lastTimestamp + Signed33(raw - (_lastTimestamp & TimestampMask));
        _lastTimestamp = unfolded;
        return unfolded;
    }

    private static long Signed33(long delta)
    {
        delta &= TimestampMask;
        return delta >= TsPacket.TimestampModulus / 2 ? delta - TsPacket.TimestampModulus : delta;
    }

    private sealed class ElementaryStream(int pid, int streamType, ElementaryKind kind, int maxPesLength)
    {
        public TsContinuity Continuity;

        public int Pid { get; } = pid;

        public int StreamType { get; } = streamType;

        public ElementaryKind Kind { get; } = kind;

        public PesAssembler Pes { get; } = new(maxPesLength);

        public Core.Media.TrackInfo? Track { get; set; }

        public byte[]? Vps { get; set; }

        public byte[]? Sps { get; set; }

        public byte[]? Pps { get; set; }

        public (int ObjectType, int SampleRateIndex, int Channels) AudioKey { get; set; }

        public long? NextAudioPts { get; set; }
    }

    private sealed class PesAssembler(int limit)
    {
        private byte[] _data = new byte[16 * 1024];

        public bool Active { get; private set; }

        public int Length { get; private set; }

        public ReadOnlySpan<byte> Data => _data.AsSpan(0, Length);

        public void Start()
        {
            Active = true;
            Length = 0;
        }

        public void Append(ReadOnlySpan<byte> bytes)
        {
            if (Length + bytes.Length > _data.Length)
            {
                Array.Resize(ref _data, Math.Max(Length + bytes.Length, Math.Min(_data.Length * 2, limit)));
            }

            bytes.CopyTo(_data.AsSpan(Length));
            Length += bytes.Length;
        }

        public void Reset()
        {
            Active = false;
            Length = 0;
        }
    }
}
