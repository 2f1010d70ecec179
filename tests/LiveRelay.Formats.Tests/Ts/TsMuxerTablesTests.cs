using System.Buffers;
using System.Buffers.Binary;
using LiveRelay.Formats.Ts;

namespace LiveRelay.Formats.Tests.Ts;

public class TsMuxerTablesTests
{
    [Fact]
    public void WriteTables_VideoAndAudio_MatchesFfmpegPatAndPmtBytes()
    {
        var muxer = new TsMuxer(TsTestData.VideoTrack(), TsTestData.AudioTrack());
        var output = new ArrayBufferWriter<byte>();

        muxer.WriteTables(output);

        Assert.Equal(2 * TsPacket.Length, output.WrittenCount);
        Assert.Equal(Padded(TsTestData.FfmpegPatPacket), Convert.ToHexString(output.WrittenSpan[..TsPacket.Length]).ToLowerInvariant());
        Assert.Equal(Padded(TsTestData.FfmpegPmtPacket), Convert.ToHexString(output.WrittenSpan[TsPacket.Length..]).ToLowerInvariant());
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void WriteTables_AnyProgram_SectionCrcsMatchReferenceCrc(bool video, bool audio)
    {
        var muxer = new TsMuxer(video ? TsTestData.VideoTrack() : null, audio ? TsTestData.AudioTrack() : null);
        var output = new ArrayBufferWriter<byte>();

        muxer.WriteTables(output);

        for (var i = 0; i < 2; i++)
        {
            var payload = output.WrittenSpan.Slice(i * TsPacket.Length + 5, TsPacket.Length - 5); // after header and pointer_field
            var sectionLength = (payload[1] & 0x0F) << 8 | payload[2];
            var body = payload[..(3 + sectionLength - 4)];
            var crc = BinaryPrimitives.ReadUInt32BigEndian(payload[(3 + sectionLength - 4)..]);
            Assert.Equal(ReferenceCrc32Mpeg2(body), crc);
            Assert.True(payload[(3 + sectionLength)..].IndexOfAnyExcept((byte)0xFF) < 0, "filler after a section must be 0xFF");
        }
    }

    [Theory]
    [InlineData(true, true, TsMuxer.VideoPid)]
    [InlineData(true, false, TsMuxer.VideoPid)]
    [InlineData(false, true, TsMuxer.AudioPid)]
    public void WriteTables_Pmt_ListsStreamsAndPcrPid(bool video, bool audio, int pcrPid)
    {
        var muxer = new TsMuxer(video ? TsTestData.VideoTrack() : null, audio ? TsTestData.AudioTrack() : null);
        var output = new ArrayBufferWriter<byte>();
        muxer.WriteTables(output);
        var packets = TsTestDemuxer.Packets(output.WrittenSpan);

        var (patHeader, patBytes) = packets[0];
        Assert.Equal(TsPacket.PatPid, patHeader.Pid);
        Assert.True(patHeader.PayloadUnitStart);
        Assert.True(TsPsiSection.TryRead(TsPacketReader.GetPayload(patBytes, patHeader), out var pat));
        Assert.Equal(0x00, pat.TableId);
        Assert.Equal(TsMuxer.TransportStreamId, pat.TableIdExtension);
        Assert.Equal("0001F000", Convert.ToHexString(pat.Body)); // program 1 → PID 0x1000

        var (pmtHeader, pmtBytes) = packets[1];
        Assert.Equal(TsMuxer.PmtPid, pmtHeader.Pid);
        Assert.True(TsPsiSection.TryRead(TsPacketReader.GetPayload(pmtBytes, pmtHeader), out var pmt));
        Assert.Equal(0x02, pmt.TableId);
        Assert.Equal(TsMuxer.ProgramNumber, pmt.TableIdExtension);
        Assert.Equal(pcrPid, BinaryPrimitives.ReadUInt16BigEndian(pmt.Body) & 0x1FFF);
        Assert.Equal(pcrPid, muxer.PcrPid);
        var streams = new List<(int Type, int Pid)>();
        for (var entry = pmt.Body[4..]; !entry.IsEmpty; entry = entry[5..])
        {
            streams.Add((entry[0], BinaryPrimitives.ReadUInt16BigEndian(entry[1..]) & 0x1FFF));
        }

        var expected = new List<(int, int)>();
        if (video)
        {
            expected.Add((TsStreamType.H264, TsMuxer.VideoPid));
        }

        if (audio)
        {
            expected.Add((TsStreamType.AacAdts, TsMuxer.AudioPid));
        }

        Assert.Equal(expected, streams);
    }

    [Fact]
    public void WriteTables_Repeated_ContinuityCountersIncrementAndWrap()
    {
        var muxer = new TsMuxer(TsTestData.VideoTrack(), null);
        var output = new ArrayBufferWriter<byte>();
        for (var i = 0; i < 18; i++)
        {
            muxer.WriteTables(output);
        }

        var packets = TsTestDemuxer.Packets(output.WrittenSpan); // asserts +1 steps per PID
        var patCounters = packets.Where(p => p.Header.Pid == TsPacket.PatPid).Select(p => p.Header.ContinuityCounter).ToArray();
        var pmtCounters = packets.Where(p => p.Header.Pid == TsMuxer.PmtPid).Select(p => p.Header.ContinuityCounter).ToArray();
        int[] expected = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1];
        Assert.Equal(expected, patCounters);
        Assert.Equal(expected, pmtCounters);
    }

    [Fact]
    public void Constructor_NoTracks_Throws()
    {
        Assert.Throws<ArgumentException>(() => new TsMuxer(null, null));
    }

    [Fact]
    public void Constructor_TracksOfWrongKind_Throws()
    {
        Assert.Throws<ArgumentException>(() => new TsMuxer(TsTestData.AudioTrack(), null));
        Assert.Throws<ArgumentException>(() => new TsMuxer(null, TsTestData.VideoTrack()));
    }

    [Fact]
    public void Constructor_UnsupportedCodec_ThrowsNotSupported()
    {
        var unknown = new LiveRelay.Core.Media.TrackInfo { Kind = LiveRelay.Core.Media.MediaKind.Video, Codec = LiveRelay.Core.Media.CodecId.Unknown };
        var opus = new LiveRelay.Core.Media.TrackInfo { Kind = LiveRelay.Core.Media.MediaKind.Audio, Codec = LiveRelay.Core.Media.CodecId.Opus };

        Assert.Throws<NotSupportedException>(() => new TsMuxer(unknown, null));
        Assert.Throws<NotSupportedException>(() => new TsMuxer(null, opus));
    }

    internal static uint ReferenceCrc32Mpeg2(ReadOnlySpan<byte> data)
    {
        // Bit-at-a-time, straight from the polynomial: independent of the table-driven implementation.
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            for (var bit = 7; bit >= 0; bit--)
            {
                var inBit = (uint)(b >> bit) & 1;
                var top = crc >> 31;
                crc <<= 1;
                if ((top ^ inBit) != 0)
                {
                    crc ^= 0x04C11DB7;
                }
            }
        }

        return crc;
    }

    private static string Padded(string hex) => hex + new string('f', 2 * TsPacket.Length - hex.Length);
}
