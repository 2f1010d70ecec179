using System.Buffers;
using System.Buffers.Binary;
using LiveRelay.Formats.Rtp;
using LiveRelay.Formats.Tests.Ts;
using Xunit.Abstractions;

namespace LiveRelay.Formats.Tests.Fuzzing;

/// <summary>
/// RTP and RTCP packet readers and the H.264, H.265 and MP4A-LATM depacketizers under mutated packets. The
/// stateful ones get a <see cref="Fuzz.Frame"/>d list of RTP packets per input, read with <see cref="RtpPacket.TryRead"/>.
/// </summary>
public sealed class RtpFuzzTests(ITestOutputHelper output)
{
    private static readonly string[] s_latmConfigs = ["400023203fc0", "410023203fc0", "400023203fe10d58", "40005623101fe0"];

    private static readonly byte[][] s_rtpTokens =
    [
        [0x80, 0x60], [0x80, 0xE0], [0x90, 0x60], [0xA0, 0x60], [0x8F, 0x60], [0x7C, 0x85], [0x7C, 0x45], [0x7C, 0x05], [0x78], [0x62, 0x01, 0x93],
        [0x62, 0x01, 0x53], [0x60, 0x01], [0x64, 0x01], [0xFF, 0xFF], [0x00, 0x00], [0xFF, 0x2D],
    ];

    private static readonly byte[][] s_rtcpTokens =
    [
        [0x80, 0xC8], [0x81, 0xC9], [0x9F, 0xC9], [0xA1, 0xCB], [0x81, 0xCA], [0x80, 0xCC], [0x81, 0xCD], [0x81, 0xCE], [0xFF, 0xFF], [0x00, 0x00],
    ];

    // RtpPacket.TryRead documents false with a reason, never an exception, and reads in place (allocating only the
    // reason text).
    internal static FuzzTarget RtpPacketTarget => new()
    {
        Name = "RtpPacket.TryRead",
        Index = 10,
        Seeds =
        [
            Rtp(1, true, [0x65, 1, 2, 3]),
            [0x82, 0x60, 0x00, 0x02, 0, 0, 0, 9, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0x41, 9, 9],                // CC = 2
            [0x90, 0xE0, 0x00, 0x03, 0, 0, 0, 9, 0, 0, 0, 1, 0xBE, 0xDE, 0x00, 0x01, 0x10, 0xAA, 0, 0, 0x41, 7],  // one extension word
            [0xA0, 0x60, 0x00, 0x04, 0, 0, 0, 9, 0, 0, 0, 1, 0x41, 5, 6, 0, 0, 3],                               // 3 bytes of padding
        ],
        Iterations = 20_000,
        Parse = ParseRtp,
        AllocationPerByte = 0,
        AllocationSlack = 4096,
        Dictionary = s_rtpTokens,
        Corpus = Corpus.RtpPacket,
    };

    // H264RtpDepacketizer documents no exception; its fragment buffer starts at 64 KiB and at most doubles past
    // the bytes received, so 64× the input plus 1 MiB bounds each input.
    internal static FuzzTarget H264Target => new()
    {
        Name = "H264RtpDepacketizer.Push",
        Index = 11,
        Seeds = [H264Packets(keyframe: true), H264Packets(keyframe: false)],
        Iterations = 15_000,
        Parse = ParseH264,
        Dictionary = s_rtpTokens,
        Corpus = Corpus.H264RtpDepacketizer,
    };

    // H265RtpDepacketizer likewise, run with and without DONL/DOND fields on every input.
    internal static FuzzTarget H265Target => new()
    {
        Name = "H265RtpDepacketizer.Push",
        Index = 12,
        Seeds = [H265Packets(donl: false), H265Packets(donl: true)],
        Iterations = 15_000,
        Parse = ParseH265,
        Dictionary = s_rtpTokens,
        Corpus = Corpus.H265RtpDepacketizer,
    };

    // Mp4aLatm.TryParseConfig documents false with a reason, never an exception; a config is at most 64 bytes.
    internal static FuzzTarget LatmConfigTarget => new()
    {
        Name = "Mp4aLatm.TryParseConfig",
        Index = 13,
        Seeds = [.. s_latmConfigs.Select(Convert.FromHexString)],
        Iterations = 20_000,
        Parse = ParseLatmConfig,
        Corpus = Corpus.Mp4aLatmConfig,
    };

    /// <summary>The input's first byte picks the StreamMuxConfig (of <see cref="s_latmConfigs"/>); the rest are framed RTP packets.</summary>
    internal static FuzzTarget LatmTarget => new()
    {
        Name = "Mp4aLatmDepacketizer.Push",
        Index = 14,
        Seeds = [.. Enumerable.Range(0, s_latmConfigs.Length).Select(LatmPackets)],
        Iterations = 20_000,
        Parse = ParseLatm,
        Dictionary = s_rtpTokens,
        Corpus = Corpus.Mp4aLatmDepacketizer,
    };

    // The RTCP readers document false with a reason, never an exception, and read in place.
    internal static FuzzTarget RtcpTarget => new()
    {
        Name = "RtcpCompoundReader/SR/RR/BYE",
        Index = 15,
        Seeds = RtcpSeeds(),
        Iterations = 20_000,
        Parse = ParseRtcp,
        AllocationPerByte = 16, // the BYE reason as a string
        AllocationSlack = 4096,
        Dictionary = s_rtcpTokens,
        Corpus = Corpus.Rtcp,
    };

    [Fact]
    public void TryRead_MutatedRtpPacket_NeverThrows() => Fuzz.Run(RtpPacketTarget, output);

    [Fact]
    public void Push_MutatedH264RtpPackets_NeverThrowsAndWritesWholeNalUnits() => Fuzz.Run(H264Target, output);

    [Fact]
    public void Push_MutatedH265RtpPackets_NeverThrowsAndWritesWholeNalUnits() => Fuzz.Run(H265Target, output);

    [Fact]
    public void TryParseConfig_MutatedStreamMuxConfig_NeverThrows() => Fuzz.Run(LatmConfigTarget, output);

    [Fact]
    public void Push_MutatedLatmPackets_NeverThrowsAndWritesWholeFrames() => Fuzz.Run(LatmTarget, output);

    [Fact]
    public void TryReadNext_MutatedRtcpCompound_NeverThrows() => Fuzz.Run(RtcpTarget, output);

    private static bool ParseRtp(byte[] input)
    {
        var ok = RtpPacket.TryRead(input, out _, out var payload, out var error);
        if (ok != (error is null) || (ok && payload.Length > input.Length - RtpPacket.FixedHeaderLength))
        {
            throw Fuzz.PropertyBroken($"TryRead returned {ok} with error '{error}' and a {payload.Length}-byte payload");
        }

        return ok;
    }

    private static bool ParseH264(byte[] input)
    {
        var depacketizer = new H264RtpDepacketizer();
        var nals = new ArrayBufferWriter<byte>();
        var any = false;
        foreach (var packet in Fuzz.Unframe(input))
        {
            if (RtpPacket.TryRead(packet.Span, out var header, out var payload, out _))
            {
                any |= depacketizer.Push(payload, header.SequenceNumber, nals) == RtpDepacketizeResult.Nals;
            }
        }

        CheckPrefixed(nals.WrittenSpan, H264RtpDepacketizer.MaxNalLength, "NAL unit");
        return any;
    }

    private static bool ParseH265(byte[] input)
    {
        var any = false;
        foreach (var donl in (bool[])[false, true])
        {
            var depacketizer = new H265RtpDepacketizer(donl);
            var nals = new ArrayBufferWriter<byte>();
            foreach (var packet in Fuzz.Unframe(input))
            {
                if (RtpPacket.TryRead(packet.Span, out var header, out var payload, out _))
                {
                    any |= depacketizer.Push(payload, header.SequenceNumber, nals) == RtpDepacketizeResult.Nals;
                }
            }

            CheckPrefixed(nals.WrittenSpan, H265RtpDepacketizer.MaxNalLength, "NAL unit");
        }

        return any;
    }

    private static bool ParseLatmConfig(byte[] input)
    {
        var ok = Mp4aLatm.TryParseConfig(input, out var config, out var error);
        CheckConfig(ok, config, error);

        // The SDP form: the same bytes in hex, and the raw input as (mostly not hex) text.
        var hex = Mp4aLatm.TryParseConfig(Convert.ToHexString(input), out config, out error);
        CheckConfig(hex, config, error);
        if (hex != ok)
        {
            throw Fuzz.PropertyBroken($"the bytes parse {ok} but their hex {hex}");
        }

        CheckConfig(Mp4aLatm.TryParseConfig(Fuzz.Text(input), out config, out error), config, error);
        return ok;
    }

    private static void CheckConfig(bool ok, Mp4aLatmConfig? config, string? error)
    {
        if (ok != (config is not null) || ok == (error is not null) || (config is not null && (config.SubFrames is < 1 or > 64 || config.OtherDataLengthBits < 0)))
        {
            throw Fuzz.PropertyBroken($"TryParseConfig returned {ok} with config {config} and error '{error}'");
        }
    }

    private static bool ParseLatm(byte[] input)
    {
        if (input.Length == 0 || !Mp4aLatm.TryParseConfig(s_latmConfigs[input[0] % s_latmConfigs.Length], out var config, out _))
        {
            return false;
        }

        var depacketizer = new Mp4aLatmDepacketizer(config);
        var frames = new ArrayBufferWriter<byte>();
        var any = false;
        foreach (var packet in Fuzz.Unframe(input[1..]))
        {
            if (RtpPacket.TryRead(packet.Span, out var header, out var payload, out _))
            {
                var result = depacketizer.Push(payload, header.SequenceNumber, header.Marker, frames);
                if (result == RtpDepacketizeResult.Dropped && depacketizer.LastError is null)
                {
                    throw Fuzz.PropertyBroken("a payload was dropped without a reason");
                }

                any |= result == RtpDepacketizeResult.Nals;
            }
        }

        CheckPrefixed(frames.WrittenSpan, Mp4aLatm.MaxFrameLength, "frame");
        return any;
    }

    private static bool ParseRtcp(byte[] input)
    {
        var reader = new RtcpCompoundReader(input);
        var packets = 0;
        while (reader.TryReadNext(out var packet))
        {
            if (++packets > input.Length / RtcpPacket.HeaderLength)
            {
                throw Fuzz.PropertyBroken($"{packets} packets out of {input.Length} bytes");
            }

            Check(RtcpSenderReport.TryRead(packet, out var sender, out var error), error);
            for (var i = 0; i < sender.Blocks.Count; i++)
            {
                _ = sender.Blocks[i];
            }

            Check(RtcpReceiverReport.TryRead(packet, out var receiver, out error), error);
            for (var i = 0; i < receiver.Blocks.Count; i++)
            {
                _ = receiver.Blocks[i];
            }

            if (Check(RtcpBye.TryRead(packet, out var bye, out error), error))
            {
                for (var i = 0; i < bye.Count; i++)
                {
                    _ = bye[i];
                }

                _ = bye.ReasonText;
            }
        }

        return reader.Error is null;

        static bool Check(bool ok, string? error) =>
            ok == (error is null) ? ok : throw Fuzz.PropertyBroken($"TryRead returned {ok} with error '{error}'");
    }

    /// <summary>The output of a depacketizer must be whole units: 4-byte lengths of 1 to <paramref name="max"/> that tile it exactly.</summary>
    private static void CheckPrefixed(ReadOnlySpan<byte> written, int max, string unit)
    {
        while (!written.IsEmpty)
        {
            var length = written.Length >= 4 ? BinaryPrimitives.ReadInt32BigEndian(written) : -1;
            if (length < 1 || length > max || length > written.Length - 4)
            {
                throw Fuzz.PropertyBroken($"a {unit} length of {length} with {written.Length} bytes written");
            }

            written = written[(4 + length)..];
        }
    }

    private static byte[] Rtp(ushort sequence, bool marker, ReadOnlySpan<byte> payload)
    {
        var packet = new byte[RtpPacket.FixedHeaderLength + payload.Length];
        RtpPacket.Write(packet, new RtpHeader(marker, 96, sequence, 90_000u + sequence, 0x1234_5678));
        payload.CopyTo(packet.AsSpan(RtpPacket.FixedHeaderLength));
        return packet;
    }

    /// <summary>An access unit packetized as a camera would: STAP-A for the parameter sets and small units, FU-A for the big slice.</summary>
    private static byte[] H264Packets(bool keyframe)
    {
        var sink = new PacketSink();
        var accessUnit = keyframe
            ? TsTestData.Avcc(TsTestData.IdrSlice(500))
            : TsTestData.Avcc(TsTestData.NonIdrSlice(60), TsTestData.NonIdrSlice(50), TsTestData.NonIdrSlice(300));
        Assert.True(new H264RtpPacketizer().Packetize(accessUnit, TsTestData.BaselineSps, TsTestData.BaselinePps, keyframe, 160, sink) > 1);
        return Fuzz.Frame(sink.Packets);
    }

    private static byte[] H265Packets(bool donl)
    {
        byte[] Don(ushort value) => donl ? [(byte)(value >> 8), (byte)value] : [];
        byte[] Size(byte[] nal) => [(byte)(nal.Length >> 8), (byte)nal.Length];
        var idr = TsHevcTestData.IdrSlice(400);
        List<byte[]> payloads =
        [
            [0x60, 0x01, .. Don(1), .. Size(TsHevcTestData.Vps), .. TsHevcTestData.Vps, .. (donl ? (byte[])[1] : []), .. Size(TsHevcTestData.Sps),
                .. TsHevcTestData.Sps, .. (donl ? (byte[])[1] : []), .. Size(TsHevcTestData.Pps), .. TsHevcTestData.Pps],
        ];
        for (var offset = 2; offset < idr.Length; offset += 150)
        {
            var first = offset == 2;
            var last = offset + 150 >= idr.Length;
            payloads.Add(
            [
                (byte)((idr[0] & 0x81) | (49 << 1)), idr[1], (byte)((first ? 0x80 : 0) | (last ? 0x40 : 0) | 19),
                .. first ? Don(4) : [], .. idr.AsSpan(offset, Math.Min(150, idr.Length - offset)),
            ]);
        }

        var trail = TsHevcTestData.TrailSlice(40);
        payloads.Add([.. trail[..2], .. Don(5), .. trail[2..]]);
        payloads.Add([0x64, 0x01, 0x26, 0x01, 0x00, 0x00]); // PACI, ignored
        return Fuzz.Frame(payloads.Select((p, i) => Rtp((ushort)(65530 + i), i == payloads.Count - 1, p)));
    }

    private static byte[] LatmPackets(int configIndex)
    {
        Assert.True(Mp4aLatm.TryParseConfig(s_latmConfigs[configIndex], out var config, out var error), error);
        byte[] Element(int length, int seed)
        {
            var element = new List<byte>();
            for (var i = 0; i < config.SubFrames; i++)
            {
                element.AddRange(Enumerable.Repeat((byte)0xFF, length / 255));
                element.Add((byte)(length % 255));
                element.AddRange(TsDemuxerTestStream.RawAac(length, seed + i));
            }

            element.AddRange(new byte[(config.OtherDataLengthBits + 7) / 8]);
            return [.. element];
        }

        var whole = Element(300, 1);
        var big = Element(700, 2);
        ushort sequence = 100;
        List<byte[]> packets =
        [
            Rtp(sequence++, true, whole),
            Rtp(sequence++, true, [.. Element(20, 3), .. Element(21, 4)]),
            Rtp(sequence++, false, big.AsSpan(0, 250)),
            Rtp(sequence++, false, big.AsSpan(250, 250)),
            Rtp(sequence++, true, big.AsSpan(500)),
        ];
        return [(byte)configIndex, .. Fuzz.Frame(packets)];
    }

    private static byte[][] RtcpSeeds()
    {
        byte[] senderReport =
        [
            0x81, 0xC8, 0x00, 0x0C, 0x11, 0x22, 0x33, 0x44, 0xE9, 0x3C, 0x7F, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x01, 0x5F, 0x90,
            0x00, 0x00, 0x01, 0xF4, 0x00, 0x09, 0x27, 0xC0, 0xAA, 0xBB, 0xCC, 0xDD, 0x40, 0xFF, 0xFF, 0xFE, 0x00, 0x01, 0x00, 0x05,
            0x00, 0x00, 0x00, 0x25, 0x7F, 0x00, 0x80, 0x00, 0x00, 0x01, 0x80, 0x00,
        ];
        byte[] compound =
        [
            0x80, 0xC8, 0x00, 0x06, 0x11, 0x22, 0x33, 0x44, 0xE9, 0x3C, 0x7F, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x64,
            0x81, 0xCA, 0x00, 0x03, 0x11, 0x22, 0x33, 0x44, 0x01, 0x03, (byte)'c', (byte)'a', (byte)'m', 0x00, 0x00, 0x00,
            0xA1, 0xCB, 0x00, 0x03, 0x11, 0x22, 0x33, 0x44, 0x03, (byte)'o', (byte)'f', (byte)'f', 0x00, 0x00, 0x00, 0x04,
        ];
        var receiverReport = new byte[RtcpReceiverReport.GetLength(2)];
        var block = new RtcpReportBlock(0xAABBCCDD, 12, -5, 0x0001_0203, 40, 0x1234_5678, 65536);
        Assert.True(RtcpReceiverReport.TryWrite(receiverReport, 0x0102_0304, [block, block with { Ssrc = 7 }], out _));
        byte[] byeTwoSources = [0x82, 0xCB, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2];
        byte[] application = [0x80, 0xCC, 0x00, 0x03, 0, 0, 0, 1, (byte)'n', (byte)'a', (byte)'m', (byte)'e', 1, 2, 3, 4];
        return [senderReport, compound, [.. receiverReport, .. byeTwoSources], [.. application, .. receiverReport]];
    }

    /// <summary>Turns a packetizer's payloads into RTP packets with consecutive sequence numbers.</summary>
    private sealed class PacketSink : IRtpPayloadSink
    {
        private ushort _sequence = 65533; // wraps within the keyframe

        public List<byte[]> Packets { get; } = [];

        public void OnPayload(ReadOnlySpan<byte> payloadHeader, ReadOnlySpan<byte> payloadBody, bool marker) =>
            Packets.Add(Rtp(_sequence++, marker, [.. payloadHeader, .. payloadBody]));
    }
}
