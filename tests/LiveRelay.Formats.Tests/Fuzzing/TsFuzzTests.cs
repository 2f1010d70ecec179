using System.Buffers;
using LiveRelay.Core.Media;
using LiveRelay.Formats.Tests.Ts;
using LiveRelay.Formats.Ts;
using Xunit.Abstractions;

namespace LiveRelay.Formats.Tests.Fuzzing;

/// <summary>The transport packet reader, PES and PSI parsers, and the push demuxer under mutated transport streams.</summary>
public sealed class TsFuzzTests(ITestOutputHelper output)
{
    private const long Start = 900_000;

    private static readonly byte[][] s_tokens =
    [
        [0x47], [0x47, 0x40, 0x00, 0x10], [0x47, 0x50, 0x00, 0x10], [0x47, 0x41, 0x00, 0x30], [0x00, 0x00, 0x01, 0xE0], [0x00, 0x00, 0x01, 0xC0],
        [0xB7, 0x10], [0xFF, 0xF1], [0x00, 0x00, 0x00, 0x01, 0x67], [0x00, 0x00, 0x01, 0x68], [0x00, 0x00, 0x01, 0x65], [0x1B], [0x24], [0x0F],
        [0x00, 0x00, 0x00, 0x01, 0x40, 0x01], [0x00, 0x00, 0x00, 0x01, 0x42, 0x01], [0x00, 0x00, 0x00, 0x01, 0x44, 0x01],
    ];

    private static readonly Lazy<byte[][]> s_streams = new(Streams);

    // TsPacketReader, PesHeader and TsPsiSection document that they never throw; they allocate nothing per packet
    // (the 4 KiB slack is for one-time static tables such as the CRC table).
    internal static FuzzTarget PacketTarget => new()
    {
        Name = "TsPacketReader/PesHeader/TsPsiSection",
        Index = 4,
        Seeds = [.. s_streams.Value.SelectMany(s => TsDemuxerTestStream.Packets(s)).Take(24)],
        Iterations = 20_000,
        Parse = ParsePackets,
        AllocationPerByte = 0,
        AllocationSlack = 4096,
        Dictionary = s_tokens,
        Corpus = Corpus.TsPacketReader,
    };

    // TsDemuxer.Push documents no exception and bounded buffering: a fixed 12 KiB alignment buffer, 16 KiB per PES
    // to start (doubling up to maxPesLength), a 64 KiB conversion buffer and pooled frame payloads, so 64× the
    // input plus 1 MiB holds for every input.
    internal static FuzzTarget DemuxerTarget => new()
    {
        Name = "TsDemuxer.Push",
        Index = 5,
        Seeds = s_streams.Value,
        Iterations = 8_000,
        Parse = ParseStream,
        Dictionary = s_tokens,
        Corpus = Corpus.TsDemuxer,
    };

    [Fact]
    public void TryReadPacket_MutatedPackets_NeverThrowsNorAllocates() => Fuzz.Run(PacketTarget, output);

    [Fact]
    public void Push_MutatedTransportStream_NeverThrows() => Fuzz.Run(DemuxerTarget, output);

    /// <summary>
    /// Found while writing the targets (mutants stay far below 64 KiB, so the loop cannot reach it): an in-band H.264
    /// PPS (or an SPS that parses, with trailing bytes) longer than 65535 bytes makes <c>TsDemuxer.CreateVideoTrack</c>
    /// call <c>AvcDecoderConfiguration.Build</c>, which throws <see cref="ArgumentException"/> for a NAL unit that does
    /// not fit the record's 16-bit length, out of <see cref="TsDemuxer.Push"/>. <c>CreateHevcTrack</c> checks those
    /// lengths first; the H.264 path does not. The vector is built here rather than stored as hex (67 KB of TS).
    /// </summary>
    [Fact]
    public void Push_H264PpsLongerThan65535Bytes_NeverThrows() => Fuzz.Replay(DemuxerTarget.WithCorpus(LongPpsStream()));

    /// <summary>A program whose keyframe carries a 65536-byte PPS in band (TsMuxer writes it as given).</summary>
    internal static byte[] LongPpsStream()
    {
        var pps = new byte[ushort.MaxValue + 1];
        pps.AsSpan().Fill(0x11);
        pps[0] = 0x68;
        var video = TsDemuxerTestStream.Video();
        return Mux(video, null, (video, TsTestData.Avcc(TsTestData.BaselineSps, pps, TsTestData.IdrSlice(100)), true));
    }

    private static bool ParsePackets(byte[] input)
    {
        var all = true;
        for (var offset = 0; offset < input.Length; offset += TsPacket.Length)
        {
            var packet = input.AsSpan(offset);
            if (!TsPacketReader.TryReadPacket(packet, out var header))
            {
                all = false;
                continue;
            }

            var payload = TsPacketReader.GetPayload(packet, header);
            if (header.PayloadOffset + payload.Length > TsPacket.Length)
            {
                throw Fuzz.PropertyBroken($"a payload of {payload.Length} bytes at {header.PayloadOffset} runs past the packet");
            }

            if (header.PayloadUnitStart)
            {
                if (PesHeader.TryParse(payload, out var pes) && pes.HeaderLength > payload.Length)
                {
                    throw Fuzz.PropertyBroken($"a PES header of {pes.HeaderLength} bytes in a {payload.Length}-byte payload");
                }

                _ = TsPsiSection.TryRead(payload, out _);
            }
        }

        return all && input.Length > 0;
    }

    private static bool ParseStream(byte[] input)
    {
        var frames = 0;
        var demuxer = new TsDemuxer((track, frame) =>
        {
            if (!ReferenceEquals(track, frame.Track))
            {
                throw Fuzz.PropertyBroken($"a frame for {frame.Track.Codec} handed out with track {track.Codec}");
            }

            frames++;
            frame.Release();
        });

        // Three pieces at arbitrary cuts: the demuxer must not depend on packet-aligned pushes.
        var first = input.Length / 3;
        var second = first + (input.Length - first) / 2 + 1;
        demuxer.Push(input.AsSpan(0, first));
        demuxer.Push(input.AsSpan(first, Math.Min(second, input.Length) - first));
        demuxer.Push(input.AsSpan(Math.Min(second, input.Length)));
        demuxer.Flush();
        return frames > 0;
    }

    /// <summary>Short programs from the muxer: H.264 + AAC, H.265, audio only, and one with a PES split over packets.</summary>
    private static byte[][] Streams()
    {
        var avc = TsDemuxerTestStream.Video();
        var aac = TsDemuxerTestStream.Audio();
        var hevc = TsHevcTestData.VideoTrack();
        return
        [
            Mux(avc, aac, (avc, TsDemuxerTestStream.VideoKeyframe(200), true), (aac, TsDemuxerTestStream.RawAac(40, 1), false),
                (avc, TsDemuxerTestStream.VideoDelta(120), false), (aac, TsDemuxerTestStream.RawAac(33, 2), false)),
            Mux(hevc, null, (hevc, TsTestData.Avcc(TsHevcTestData.Vps, TsHevcTestData.Sps, TsHevcTestData.Pps, TsHevcTestData.IdrSlice(150)), true),
                (hevc, TsTestData.Avcc(TsHevcTestData.TrailSlice(90)), false)),
            Mux(null, aac, (aac, TsDemuxerTestStream.RawAac(60, 3), false), (aac, TsDemuxerTestStream.RawAac(61, 4), false)),
            Mux(avc, null, (avc, TsDemuxerTestStream.VideoKeyframe(700), true)),
        ];
    }

    private static byte[] Mux(TrackInfo? video, TrackInfo? audio, params (TrackInfo Track, byte[] Payload, bool Keyframe)[] frames)
    {
        var muxer = new TsMuxer(video, audio);
        var output = new ArrayBufferWriter<byte>();
        muxer.WriteTables(output);
        for (var i = 0; i < frames.Length; i++)
        {
            var (track, payload, keyframe) = frames[i];
            var time = Start + i * 3600L;
            Assert.True(TsMuxerVideoTests.WriteFrame(muxer, output, track, payload, time, time, keyframe));
        }

        return output.WrittenSpan.ToArray();
    }
}
