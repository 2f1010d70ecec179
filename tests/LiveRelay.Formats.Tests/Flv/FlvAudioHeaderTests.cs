using LiveRelay.Formats.Flv;
using static LiveRelay.Formats.Tests.Amf.AmfTestBytes;

namespace LiveRelay.Formats.Tests.Flv;

public class FlvAudioHeaderTests
{
    [Fact]
    public void TryParse_AacSequenceHeader_ReturnsSequenceHeader()
    {
        // 0xAF 0x00 + AudioSpecificConfig 0x12 0x10: AAC-LC, 44.1 kHz, stereo.
        var body = Hex("af 00 1210");

        Assert.True(FlvAudioHeader.TryParse(body, out var header));

        Assert.Equal(new FlvAudioHeader(FlvSoundFormat.Aac, 3, true, true, true, 2), header);
        Assert.Equal(Hex("1210"), body[header.HeaderLength..]);
    }

    [Fact]
    public void TryParse_AacRawFrame_ReturnsRawFrame()
    {
        Assert.True(FlvAudioHeader.TryParse(Hex("af 01 21100564"), out var header));

        Assert.Equal(new FlvAudioHeader(FlvSoundFormat.Aac, 3, true, true, false, 2), header);
    }

    [Theory]
    [InlineData("2f fffb9064", FlvSoundFormat.Mp3, 3, true, true)]           // MP3 44 kHz stereo
    [InlineData("2a fffb9064", FlvSoundFormat.Mp3, 2, true, false)]          // MP3 22 kHz mono
    [InlineData("72 d5d5", FlvSoundFormat.G711A, 0, true, false)]            // G.711 A-law
    [InlineData("82 ffff", FlvSoundFormat.G711U, 0, true, false)]            // G.711 mu-law
    [InlineData("b2 0000", FlvSoundFormat.Speex, 0, true, false)]            // Speex 16 kHz mono
    [InlineData("30 8080", FlvSoundFormat.LinearPcmLittleEndian, 0, false, false)]
    [InlineData("e2 00", FlvSoundFormat.Mp3At8Khz, 0, true, false)]
    public void TryParse_OneByteHeaderFormats_ReturnsFields(string hex, FlvSoundFormat format, int rateCode, bool is16Bit, bool isStereo)
    {
        Assert.True(FlvAudioHeader.TryParse(Hex(hex), out var header));

        Assert.Equal(new FlvAudioHeader(format, rateCode, is16Bit, isStereo, false, 1), header);
    }

    [Theory]
    [InlineData("")]           // empty
    [InlineData("af")]         // AAC without packet type
    [InlineData("af 02")]      // AAC packet type 2
    [InlineData("9f 00")]      // SoundFormat 9: Enhanced RTMP v2 ExAudioTagHeader
    [InlineData("cf 00")]      // SoundFormat 12, reserved
    [InlineData("df 00")]      // SoundFormat 13, reserved
    public void TryParse_UnsupportedOrShort_ReturnsFalse(string hex)
    {
        Assert.False(FlvAudioHeader.TryParse(Hex(hex), out _));
    }

    [Theory]
    [InlineData(true, "af 00")]
    [InlineData(false, "af 01")]
    public void WriteAacHeader_Flag_WritesExactBytes(bool sequenceHeader, string expected)
    {
        var buffer = new byte[2];

        Assert.Equal(2, FlvAudioHeader.WriteAacHeader(buffer, sequenceHeader));

        Assert.Equal(Hex(expected), buffer);
        Assert.True(FlvAudioHeader.TryParse(buffer, out var header));
        Assert.Equal(sequenceHeader, header.IsAacSequenceHeader);
    }

    [Fact]
    public void WriteAacHeader_DestinationTooSmall_ThrowsArgumentOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FlvAudioHeader.WriteAacHeader(new byte[1], true));
    }
}
