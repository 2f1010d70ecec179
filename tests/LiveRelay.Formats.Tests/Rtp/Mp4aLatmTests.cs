using System.Buffers;
using System.Buffers.Binary;
using LiveRelay.Codecs.Aac;
using LiveRelay.Formats.Rtp;

namespace LiveRelay.Formats.Tests.Rtp;

public sealed class Mp4aLatmTests
{
    // StreamMuxConfigs in the form FFmpeg writes: 40 00 | 2x (0x20 | rate index) | channels << 4 | 3F C0.
    private const string Stereo48k = "400023203fc0";
    private const string Mono441k = "400024103fc0";
    private const string Mono16k = "400028103fc0";

    // HE-AAC with explicit SBR: AOT 5, core 24 kHz, stereo, extension 48 kHz, core AOT 2.
    private const string HeAac = "40005623101fe0";

    // otherDataPresent with otherDataLenBits = 16, and a CRC byte.
    private const string OtherDataAndCrc = "400023203fe10d58";

    // numSubFrames = 1: two frames per AudioMuxElement.
    private const string TwoSubFrames = "410023203fc0";

    private static readonly byte[] s_frame300 = [.. Enumerable.Range(0, 300).Select(i => (byte)(i % 251))];

    private static Mp4aLatmConfig Config(string hex)
    {
        Assert.True(Mp4aLatm.TryParseConfig(hex, out var config, out var error), error);
        return config;
    }

    private static byte[] Prefixed(params byte[][] frames)
    {
        List<byte> bytes = [];
        foreach (var frame in frames)
        {
            var length = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(length, frame.Length);
            bytes.AddRange(length);
            bytes.AddRange(frame);
        }

        return [.. bytes];
    }

    [Fact]
    public void TryParseConfig_48kHzStereoAacLc_GivesAudioSpecificConfig1190()
    {
        var config = Config(Stereo48k);

        Assert.Equal([0x11, 0x90], config.AudioSpecificConfigBytes.ToArray());
        Assert.Equal(new AudioSpecificConfig(AudioSpecificConfig.AacLc, 3, 48000, 2), config.Audio);
        Assert.Equal(1, config.SubFrames);
        Assert.Equal(0, config.OtherDataLengthBits);
    }

    [Theory]
    [InlineData(Mono441k, new byte[] { 0x12, 0x08 }, 44100, 1)]
    [InlineData(Mono16k, new byte[] { 0x14, 0x08 }, 16000, 1)]
    public void TryParseConfig_OtherRatesAndChannels_GiveTheirAudioSpecificConfig(string hex, byte[] asc, int rate, int channels)
    {
        var config = Config(hex);

        Assert.Equal(asc, config.AudioSpecificConfigBytes.ToArray());
        Assert.Equal(rate, config.Audio.SampleRate);
        Assert.Equal(channels, config.Audio.Channels);
        Assert.Equal(AudioSpecificConfig.AacLc, config.Audio.ObjectType);
    }

    [Fact]
    public void TryParseConfig_HeAacWithExplicitSbr_KeepsTheWholeAudioSpecificConfig()
    {
        var config = Config(HeAac);

        Assert.Equal([0x2B, 0x11, 0x88, 0x00], config.AudioSpecificConfigBytes.ToArray());
        Assert.Equal(AudioSpecificConfig.Sbr, config.Audio.ObjectType);
        Assert.Equal(24000, config.Audio.SampleRate);
        Assert.Equal(2, config.Audio.Channels);
    }

    [Fact]
    public void TryParseConfig_OtherDataAndCrc_ReadsTheOtherDataLength()
    {
        var config = Config(OtherDataAndCrc);

        Assert.Equal([0x11, 0x90], config.AudioSpecificConfigBytes.ToArray());
        Assert.Equal(16, config.OtherDataLengthBits);
    }

    [Fact]
    public void TryParseConfig_FourByteConfigEndingAfterTheAudioSpecificConfig_IsRefusedAsCutOff()
    {
        // "40002410" is the first 4 bytes of the 44.1 kHz mono config: frameLengthType and the rest are missing.
        Assert.False(Mp4aLatm.TryParseConfig("40002410", out _, out var error));

        Assert.Contains("cut off", error);
    }

    [Theory]
    [InlineData("c00023203fc0", "audioMuxVersion 1")]
    [InlineData("401023203fc0", "programs")]
    [InlineData("400023207fc0", "frameLengthType 1")]
    [InlineData("400023003fc0", "channelConfiguration 0")]
    [InlineData("4000c3203fc0", "audioObjectType 12")]
    [InlineData("40002320zzc0", "hexadecimal")]
    [InlineData("4000232", "even")]
    [InlineData("", "even")]
    public void TryParseConfig_UnsupportedOrMalformed_IsRefusedWithTheReason(string hex, string reason)
    {
        Assert.False(Mp4aLatm.TryParseConfig(hex, out var config, out var error));

        Assert.Null(config);
        Assert.Contains(reason, error);
    }

    [Theory]
    [InlineData(Stereo48k)]
    [InlineData(Mono441k)]
    [InlineData(Mono16k)]
    [InlineData(HeAac)]
    [InlineData(OtherDataAndCrc)]
    [InlineData(TwoSubFrames)]
    public void TryParseConfig_EveryTruncatedPrefix_IsRefused(string hex)
    {
        var bytes = Convert.FromHexString(hex);

        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.False(Mp4aLatm.TryParseConfig(bytes.AsSpan(0, length), out var config, out var error));
            Assert.Null(config);
            Assert.NotNull(error);
        }
    }

    [Fact]
    public void TryParseConfig_LongerThanTheLimit_IsRefused()
    {
        Assert.False(Mp4aLatm.TryParseConfig(new byte[Mp4aLatm.MaxConfigLength + 1], out _, out var error));

        Assert.Contains("not 1 to", error);
    }

    [Fact]
    public void TryReadFrames_300ByteFrame_ReadsPayloadLengthInfoFF2D()
    {
        byte[] payload = [0xFF, 0x2D, .. s_frame300];
        var output = new ArrayBufferWriter<byte>();

        Assert.True(Mp4aLatm.TryReadFrames(payload, Config(Stereo48k), output, out var count, out var error), error);

        Assert.Equal(1, count);
        Assert.Equal(Prefixed(s_frame300), output.WrittenSpan.ToArray());
    }

    [Fact]
    public void TryReadFrames_TwoElementsInOnePayload_WritesBothFrames()
    {
        byte[] payload = [0x03, 0xA1, 0xA2, 0xA3, 0x02, 0xB1, 0xB2];
        var output = new ArrayBufferWriter<byte>();

        Assert.True(Mp4aLatm.TryReadFrames(payload, Config(Stereo48k), output, out var count, out _));

        Assert.Equal(2, count);
        Assert.Equal(Prefixed([0xA1, 0xA2, 0xA3], [0xB1, 0xB2]), output.WrittenSpan.ToArray());
    }

    [Fact]
    public void TryReadFrames_TwoSubFramesPerElement_WritesBothFrames()
    {
        byte[] payload = [0x01, 0xA1, 0x02, 0xB1, 0xB2];
        var output = new ArrayBufferWriter<byte>();

        Assert.True(Mp4aLatm.TryReadFrames(payload, Config(TwoSubFrames), output, out var count, out _));

        Assert.Equal(2, count);
        Assert.Equal(Prefixed([0xA1], [0xB1, 0xB2]), output.WrittenSpan.ToArray());
    }

    [Fact]
    public void TryReadFrames_OtherData_IsSkippedAfterEachElement()
    {
        byte[] payload = [0x02, 0xA1, 0xA2, 0xEE, 0xEE, 0x01, 0xB1, 0xEE, 0xEE];
        var output = new ArrayBufferWriter<byte>();

        Assert.True(Mp4aLatm.TryReadFrames(payload, Config(OtherDataAndCrc), output, out var count, out _));

        Assert.Equal(2, count);
        Assert.Equal(Prefixed([0xA1, 0xA2], [0xB1]), output.WrittenSpan.ToArray());
    }

    [Fact]
    public void TryReadFrames_EveryTruncatedPrefix_IsRefusedWritingNothing()
    {
        byte[] payload = [0xFF, 0x2D, .. s_frame300];
        var config = Config(Stereo48k);

        for (var length = 0; length < payload.Length; length++)
        {
            var output = new ArrayBufferWriter<byte>();

            Assert.False(Mp4aLatm.TryReadFrames(payload.AsSpan(0, length), config, output, out var count, out var error));
            Assert.NotNull(error);
            Assert.Equal(0, count);
            Assert.Equal(0, output.WrittenCount);
        }
    }

    [Theory]
    [InlineData(new byte[] { 0x02, 0xA1, 0xA2, 0x05 }, "runs past")]     // a good element, then a cut one
    [InlineData(new byte[] { 0x00 }, "empty frame")]
    [InlineData(new byte[] { 0xFF, 0xFF }, "PayloadLengthInfo runs past")]
    public void TryReadFrames_Malformed_IsRefusedWritingNothing(byte[] payload, string reason)
    {
        var output = new ArrayBufferWriter<byte>();

        Assert.False(Mp4aLatm.TryReadFrames(payload, Config(Stereo48k), output, out _, out var error));

        Assert.Contains(reason, error);
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void TryReadFrames_FrameLongerThanTheLimit_IsRefused()
    {
        byte[] payload = [.. Enumerable.Repeat((byte)0xFF, (Mp4aLatm.MaxFrameLength / 255) + 1), 0x00];
        var output = new ArrayBufferWriter<byte>();

        Assert.False(Mp4aLatm.TryReadFrames(payload, Config(Stereo48k), output, out _, out var error));

        Assert.Contains("longer than", error);
    }

    [Fact]
    public void Push_FrameFragmentedOverThreePackets_WritesItAtTheMarker()
    {
        byte[] element = [0xFF, 0x2D, .. s_frame300];
        var depacketizer = new Mp4aLatmDepacketizer(Config(Stereo48k));
        var output = new ArrayBufferWriter<byte>();

        var results = new[]
        {
            depacketizer.Push(element.AsSpan(0, 120), 65535, marker: false, output),
            depacketizer.Push(element.AsSpan(120, 120), 0, marker: false, output),
            depacketizer.Push(element.AsSpan(240), 1, marker: true, output),
        };

        Assert.Equal([RtpDepacketizeResult.Pending, RtpDepacketizeResult.Pending, RtpDepacketizeResult.Nals], results);
        Assert.Equal(Prefixed(s_frame300), output.WrittenSpan.ToArray());
        Assert.Equal(0, depacketizer.DroppedElements);
    }

    [Fact]
    public void Push_FragmentedFrameWithALostPacket_IsDropped_AndTheNextElementComesThrough()
    {
        byte[] element = [0xFF, 0x2D, .. s_frame300];
        var depacketizer = new Mp4aLatmDepacketizer(Config(Stereo48k));
        var output = new ArrayBufferWriter<byte>();

        depacketizer.Push(element.AsSpan(0, 120), 10, marker: false, output);
        var end = depacketizer.Push(element.AsSpan(240), 12, marker: true, output); // 11 was lost
        var next = depacketizer.Push([0x02, 0xC1, 0xC2], 13, marker: true, output);

        Assert.Equal(RtpDepacketizeResult.Dropped, end);
        Assert.Equal(RtpDepacketizeResult.Nals, next);
        Assert.Equal(Prefixed([0xC1, 0xC2]), output.WrittenSpan.ToArray());
        Assert.Equal(2, depacketizer.DroppedElements); // the collected start, then the end that does not parse alone
    }

    [Fact]
    public void Push_FragmentsPastTheLimit_AreDroppedUntilTheMarker()
    {
        var depacketizer = new Mp4aLatmDepacketizer(Config(Stereo48k));
        var output = new ArrayBufferWriter<byte>();
        var chunk = new byte[16 * 1024];
        ushort sequence = 0;
        var results = new List<RtpDepacketizeResult>();

        for (var i = 0; i < 5; i++)
        {
            results.Add(depacketizer.Push(chunk, sequence++, marker: false, output));
        }

        var end = depacketizer.Push(chunk, sequence++, marker: true, output);
        var next = depacketizer.Push([0x01, 0xD1], sequence, marker: true, output);

        Assert.Equal(RtpDepacketizeResult.Dropped, results[^1]);
        Assert.Equal(RtpDepacketizeResult.Dropped, end);
        Assert.Equal(RtpDepacketizeResult.Nals, next);
        Assert.Equal(Prefixed([0xD1]), output.WrittenSpan.ToArray());
        Assert.Equal(1, depacketizer.DroppedElements);
    }
}
