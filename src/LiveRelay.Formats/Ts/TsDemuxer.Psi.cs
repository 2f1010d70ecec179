using System.Buffers.Binary;

namespace LiveRelay.Formats.Ts;

public sealed partial class TsDemuxer
{
    private const int MaxSectionLength = 1024; // PAT/PMT section_length is at most 1021 (2.4.4.3, 2.4.4.8)
    private const int PatTableId = 0x00;
    private const int PmtTableId = 0x02;

    private readonly SectionAssembler _pat = new();
    private readonly SectionAssembler _pmt = new();
    private int _pmtPid = -1;
    private int _programNumber = -1;
    private int _pmtVersion = -1;

    private void OnSectionPayload(SectionAssembler assembler, in TsPacketHeader header, ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return;
        }

        if (header.PayloadUnitStart)
        {
            // pointer_field 8 | tail of the previous section (pointer_field bytes) | start of a new section
            var pointer = payload[0];
            if (assembler.Active && 1 + pointer <= payload.Length)
            {
                assembler.Append(payload.Slice(1, pointer));
                TryCompleteSection(assembler);
            }

            assembler.Start();
            assembler.Append([0]); // TsPsiSection expects a pointer_field before the section
            if (1 + pointer < payload.Length)
            {
                assembler.Append(payload[(1 + pointer)..]);
            }
        }
        else if (assembler.Active)
        {
            assembler.Append(payload);
        }

        TryCompleteSection(assembler);
    }

    private void TryCompleteSection(SectionAssembler assembler)
    {
        if (!assembler.Active)
        {
            return;
        }

        var data = assembler.Data;
        if (data.Length < 4)
        {
            return;
        }

        // table_id 8 | section_syntax_indicator 1 | '0' | reserved 2 | section_length 12 (after the pointer_field byte)
        var total = 1 + 3 + ((data[2] & 0x0F) << 8 | data[3]);
        if (data[1] == 0xFF || total - 4 > MaxSectionLength)
        {
            assembler.Reset(); // stuffing, or a section too long to be PAT/PMT
            return;
        }

        if (data.Length < total)
        {
            return;
        }

        // version_number 5 | current_next_indicator 1 sits in byte 5 of the section
        var current = (data[1 + 5] & 0x01) != 0;
        if (current && TsPsiSection.TryRead(data[..total], out var section))
        {
            if (section.TableId == PatTableId && assembler == _pat)
            {
                OnPat(section);
            }
            else if (section.TableId == PmtTableId && assembler == _pmt && section.TableIdExtension == _programNumber)
            {
                OnPmt(section);
            }
        }

        assembler.Reset();
    }

    //  PAT body (2.4.4.3): per program: program_number 16 | reserved 3 | network_PID / program_map_PID 13
    //  The first program other than 0 (the network PID) is the one we follow.
    private void OnPat(in TsPsiSection section)
    {
        var body = section.Body;
        for (var offset = 0; offset + 4 <= body.Length; offset += 4)
        {
            var programNumber = BinaryPrimitives.ReadUInt16BigEndian(body[offset..]);
            var pid = (body[offset + 2] & 0x1F) << 8 | body[offset + 3];
            if (programNumber == 0)
            {
                continue;
            }

            if (programNumber != _programNumber || pid != _pmtPid)
            {
                _programNumber = programNumber;
                _pmtPid = pid;
                _pmtVersion = -1;
                _pmt.Reset();
                _pmt.Continuity = default;
            }

            return;
        }
    }

    //  PMT body (2.4.4.8):
    //  reserved 3 | PCR_PID 13 | reserved 4 | program_info_length 12 | descriptors
    //  per stream: stream_type 8 | reserved 3 | elementary_PID 13 | reserved 4 | ES_info_length 12 | descriptors
    private void OnPmt(in TsPsiSection section)
    {
        if (section.Version == _pmtVersion)
        {
            return;
        }

        var body = section.Body;
        if (body.Length < 4)
        {
            return;
        }

        var programInfoLength = (body[2] & 0x0F) << 8 | body[3];
        var offset = 4 + programInfoLength;
        var declared = new Dictionary<int, int>();
        while (offset + 5 <= body.Length)
        {
            var streamType = body[offset];
            var pid = (body[offset + 1] & 0x1F) << 8 | body[offset + 2];
            var esInfoLength = (body[offset + 3] & 0x0F) << 8 | body[offset + 4];
            declared.TryAdd(pid, streamType);
            offset += 5 + esInfoLength;
        }

        _pmtVersion = section.Version;
        ApplyStreamMap(declared);
    }

    private void ApplyStreamMap(Dictionary<int, int> declared)
    {
        foreach (var (pid, stream) in _streams.ToArray())
        {
            if (!declared.TryGetValue(pid, out var streamType) || streamType != stream.StreamType)
            {
                stream.Pes.Reset();
                _streams.Remove(pid);
            }
        }

        foreach (var (pid, streamType) in declared)
        {
            if (_streams.ContainsKey(pid))
            {
                continue;
            }

            var kind = streamType switch
            {
                TsStreamType.H264 => ElementaryKind.H264,
                TsStreamType.H265 => ElementaryKind.H265,
                TsStreamType.AacAdts => ElementaryKind.AacAdts,
                _ => ElementaryKind.Unsupported,
            };

            if (kind == ElementaryKind.Unsupported)
            {
                if (_reportedUnsupported.Add((pid, streamType)))
                {
                    UnsupportedStream?.Invoke(pid, streamType);
                }

                continue;
            }

            _streams[pid] = new ElementaryStream(pid, streamType, kind, _maxPesLength);
        }
    }

    private sealed class SectionAssembler
    {
        private readonly byte[] _data = new byte[1 + 3 + MaxSectionLength + TsPacket.Length];
        private int _length;

        public TsContinuity Continuity;

        public bool Active { get; private set; }

        public ReadOnlySpan<byte> Data => _data.AsSpan(0, _length);

        public void Start()
        {
            Active = true;
            _length = 0;
        }

        public void Append(ReadOnlySpan<byte> bytes)
        {
            if (!Active)
            {
                return;
            }

            var count = Math.Min(bytes.Length, _data.Length - _length);
            bytes[..count].CopyTo(_data.AsSpan(_length));
            _length += count;
        }

        public void Reset()
        {
            Active = false;
            _length = 0;
        }
    }
}
