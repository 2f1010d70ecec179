using System.Buffers;
using LiveRelay.Core.Media;
using LiveRelay.Formats.Ts;

namespace LiveRelay.Formats.Tests.Ts;

/// <summary>Builds transport streams for the demuxer tests and collects what the demuxer gives back.</summary>
internal static class TsDemuxerTestStream
{
    /// <summary>The constrained-baseline 640x360 avcC from the brief (SPS/PPS = <see cref="TsTestData.BaselineSps"/>/<see cref="TsTestData.BaselinePps"/>).</summary>
    public static readonly byte[] BaselineAvcC = Convert.FromHexString(
        "0142c01effe100196742c01ed900a02ff970110000030001000003003c0f162e4801000568cb83cb20");

    public static readonly byte[] Asc44100Stereo = [0x12, 0x10];

    public static TrackInfo Video() => TsTestData.VideoTrack(BaselineAvcC);

    public static TrackInfo Audio() => new()
    {
        Kind = MediaKind.Audio,
        Codec = CodecId.Aac,
        CodecConfig = Asc44100Stereo,
        SampleRate = 44100,
        Channels = 2,
        CodecString = "mp4a.40.2",
    };

    public sealed record Demuxed(TrackInfo Track, CodecId Codec, long Dts, long Pts, bool Keyframe, byte[] Payload)
    {
        public override string ToString() => $"{Codec} {Dts} {Pts} {Keyframe} {Convert.ToHexString(Payload)}";
    }

    /// <summary>Feeds <paramref name="ts"/> in pieces of <paramref name="chunk"/> bytes, then flushes.</summary>
    public static void Feed(TsDemuxer demuxer, ReadOnlySpan<byte> ts, int chunk = int.MaxValue)
    {
        while (!ts.IsEmpty)
        {
            var count = Math.Min(chunk, ts.Length);
            demuxer.Push(ts[..count]);
            ts = ts[count..];
        }

        demuxer.Flush();
    }

    public static (TsDemuxer Demuxer, List<Demuxed> Frames) Create(int maxPesLength = TsDemuxer.DefaultMaxPesLength)
    {
        var frames = new List<Demuxed>();
        var demuxer = new TsDemuxer(
            (track, frame) =>
            {
                Assert.Same(track, frame.Track);
                frames.Add(new Demuxed(track, track.Codec, frame.Dts, frame.Pts, frame.IsKeyframe, frame.Payload.ToArray()));
                frame.Release();
            },
            maxPesLength);
        return (demuxer, frames);
    }

    public static List<Demuxed> DemuxAll(ReadOnlySpan<byte> ts, int chunk = int.MaxValue)
    {
        var (demuxer, frames) = Create();
        Feed(demuxer, ts, chunk);
        return frames;
    }

    public static void Write(TsMuxer muxer, ArrayBufferWriter<byte> output, TrackInfo track, byte[] payload, long dts, long pts, bool keyframe) =>
        Assert.True(TsMuxerVideoTests.WriteFrame(muxer, output, track, payload, dts, pts, keyframe));

    public static byte[] VideoKeyframe(int sliceLength) =>
        TsTestData.Avcc(TsTestData.BaselineSps, TsTestData.BaselinePps, TsTestData.IdrSlice(sliceLength));

    public static byte[] VideoDelta(int sliceLength) => TsTestData.Avcc(TsTestData.NonIdrSlice(sliceLength));

    public static byte[] RawAac(int length, int seed)
    {
        var raw = new byte[length];
        for (var i = 0; i < raw.Length; i++)
        {
            raw[i] = (byte)(i * 7 + seed);
        }

        return raw;
    }

    /// <summary>A PMT packet for program 1 on <see cref="TsMuxer.PmtPid"/> with the given (stream_type, PID) entries.</summary>
    public static byte[] PmtPacket(int version, int counter, params (byte StreamType, int Pid)[] streams)
    {
        var sectionLength = 9 + 5 * streams.Length + 4;
        var section = new List<byte>
        {
            0x02, (byte)(0xB0 | sectionLength >> 8), (byte)sectionLength,
            0x00, 0x01, (byte)(0xC1 | (version & 0x1F) << 1), 0x00, 0x00,
            0xE1, 0x00, 0xF0, 0x00,
        };
        foreach (var (streamType, pid) in streams)
        {
            section.AddRange([streamType, (byte)(0xE0 | pid >> 8), (byte)pid, 0xF0, 0x00]);
        }

        var crc = Crc32(section.ToArray());
        section.AddRange([(byte)(crc >> 24), (byte)(crc >> 16), (byte)(crc >> 8), (byte)crc]);
        var packet = new byte[TsPacket.Length];
        packet.AsSpan().Fill(0xFF);
        packet[0] = 0x47;
        packet[1] = 0x40 | TsMuxer.PmtPid >> 8;
        packet[2] = TsMuxer.PmtPid & 0xFF;
        packet[3] = (byte)(0x10 | (counter & 0x0F));
        packet[4] = 0; // pointer_field
        section.ToArray().CopyTo(packet, 5);
        return packet;
    }

    /// <summary>The PAT packet the muxer writes (program 1 → PMT PID 0x1000).</summary>
    public static byte[] PatPacket()
    {
        var output = new ArrayBufferWriter<byte>();
        new TsMuxer(Video(), null).WriteTables(output);
        return output.WrittenSpan[..TsPacket.Length].ToArray();
    }

    /// <summary>
    /// Splits a PES into packets on <paramref name="pid"/> where every packet carries an adaptation field of
    /// <paramref name="fieldLength"/> bytes after the length byte (flags, a PCR on the first packet, stuffing).
    /// </summary>
    public static List<byte[]> PacketizeWithAdaptation(int pid, byte[] pes, int fieldLength, long pcrBase, ref int counter)
    {
        var packets = new List<byte[]>();
        var offset = 0;
        var first = true;
        while (offset < pes.Length)
        {
            var packet = new byte[TsPacket.Length];
            packet[0] = 0x47;
            packet[1] = (byte)((first ? 0x40 : 0) | pid >> 8);
            packet[2] = (byte)pid;
            packet[3] = (byte)(0x30 | (counter++ & 0x0F));
            var room = TsPacket.BodyLength - 1 - fieldLength;
            var take = Math.Min(room, pes.Length - offset);
            var length = TsPacket.BodyLength - 1 - take; // grow the field to stuff a short last packet
            packet[4] = (byte)length;
            packet.AsSpan(5, length).Fill(0xFF);
            packet[5] = (byte)(first ? 0x50 : 0x00); // random_access, PCR_flag on the first packet
            if (first)
            {
                packet[6] = (byte)(pcrBase >> 25);
                packet[7] = (byte)(pcrBase >> 17);
                packet[8] = (byte)(pcrBase >> 9);
                packet[9] = (byte)(pcrBase >> 1);
                packet[10] = (byte)((pcrBase & 1) << 7 | 0x7E);
                packet[11] = 0;
            }

            pes.AsSpan(offset, take).CopyTo(packet.AsSpan(5 + length));
            offset += take;
            first = false;
            packets.Add(packet);
        }

        return packets;
    }

    public static List<byte[]> Packets(ReadOnlySpan<byte> ts)
    {
        var packets = new List<byte[]>();
        for (var i = 0; i + TsPacket.Length <= ts.Length; i += TsPacket.Length)
        {
            packets.Add(ts.Slice(i, TsPacket.Length).ToArray());
        }

        return packets;
    }

    private static uint Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= (uint)b << 24;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x80000000) != 0 ? (crc << 1) ^ 0x04C11DB7 : crc << 1;
            }
        }

        return crc;
    }
}
