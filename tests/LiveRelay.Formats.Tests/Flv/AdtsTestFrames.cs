namespace LiveRelay.Formats.Tests.Flv;

/// <summary>Just enough ADTS (ISO 14496-3, 1.A.2) to turn ffmpeg's output into raw AAC frames.</summary>
internal static class AdtsTestFrames
{
    // adts_fixed_header + adts_variable_header (56 bits; 72 with the CRC):
    // syncword(12) id(1) layer(2) protection_absent(1) profile(2) sampling_frequency_index(4)
    // private(1) channel_configuration(3) original(1) home(1) copyright_id(2)
    // aac_frame_length(13, header included) buffer_fullness(11) raw_data_blocks(2)
    public static (byte[] AudioSpecificConfig, List<byte[]> Frames) Parse(byte[] adts)
    {
        var frames = new List<byte[]>();
        byte[]? config = null;
        var position = 0;
        while (position < adts.Length)
        {
            Assert.True(adts.Length - position >= 7, "truncated ADTS header");
            Assert.True(adts[position] == 0xFF && (adts[position + 1] & 0xF6) == 0xF0, "ADTS sync word");
            var headerLength = (adts[position + 1] & 0x01) != 0 ? 7 : 9;
            var profile = adts[position + 2] >> 6;
            var frequencyIndex = (adts[position + 2] >> 2) & 0x0F;
            var channels = ((adts[position + 2] & 0x01) << 2) | (adts[position + 3] >> 6);
            var frameLength = ((adts[position + 3] & 0x03) << 11) | (adts[position + 4] << 3) | (adts[position + 5] >> 5);
            Assert.InRange(frameLength, headerLength + 1, adts.Length - position);

            // AudioSpecificConfig: audioObjectType(5) = profile + 1, samplingFrequencyIndex(4), channelConfiguration(4), 3 zero bits.
            config ??= [(byte)(((profile + 1) << 3) | (frequencyIndex >> 1)), (byte)(((frequencyIndex & 1) << 7) | (channels << 3))];
            frames.Add(adts[(position + headerLength)..(position + frameLength)]);
            position += frameLength;
        }

        Assert.NotNull(config);
        return (config, frames);
    }
}
