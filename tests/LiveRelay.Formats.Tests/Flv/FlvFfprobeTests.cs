using System.Buffers;
using System.Text.Json;
using LiveRelay.Formats.Amf;
using LiveRelay.Formats.Flv;
using static LiveRelay.Formats.Tests.Amf.AmfTestBytes;

namespace LiveRelay.Formats.Tests.Flv;

/// <summary>A real player's demuxer (FFmpeg's) reads what the writers produce.</summary>
public class FlvFfprobeTests
{
    [Fact]
    public void WrittenAacFlv_Ffprobe_ReportsAacStreamAndEveryFrame()
    {
        var (adts, _) = ExternalTool.Run(
            "ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error",
            "-f", "lavfi", "-i", "sine=frequency=1000", "-t", "1", "-c:a", "aac", "-f", "adts", "-");
        var (config, frames) = AdtsTestFrames.Parse(adts);
        Assert.Equal(Hex("1208"), config); // AAC-LC, 44.1 kHz, mono: ffmpeg's sine defaults
        Assert.InRange(frames.Count, 40, 50);

        var path = Path.Combine(Path.GetTempPath(), $"liverelay-flv-{Guid.NewGuid():N}.flv");
        try
        {
            File.WriteAllBytes(path, WriteAacFlv(config, frames));

            var (json, errors) = ExternalTool.Run(
                "ffprobe", "-v", "error", "-count_packets", "-show_streams", "-show_format", "-of", "json", path);

            Assert.Equal("", errors.Trim());
            using var document = JsonDocument.Parse(json);
            var streams = document.RootElement.GetProperty("streams");
            Assert.Equal(1, streams.GetArrayLength());
            var stream = streams[0];
            Assert.Equal("audio", stream.GetProperty("codec_type").GetString());
            Assert.Equal("aac", stream.GetProperty("codec_name").GetString());
            Assert.Equal("LC", stream.GetProperty("profile").GetString());
            Assert.Equal("44100", stream.GetProperty("sample_rate").GetString());
            Assert.Equal(1, stream.GetProperty("channels").GetInt32());
            Assert.Equal(frames.Count.ToString(), stream.GetProperty("nb_read_packets").GetString());
            Assert.Equal("flv", document.RootElement.GetProperty("format").GetProperty("format_name").GetString());
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static byte[] WriteAacFlv(byte[] config, List<byte[]> frames)
    {
        var output = new ArrayBufferWriter<byte>();
        FlvHeader.Write(output.GetSpan(FlvHeader.LengthWithFirstTagSize), hasAudio: true, hasVideo: false);
        output.Advance(FlvHeader.LengthWithFirstTagSize);

        var metadata = new AmfObject(isEcmaArray: true)
        {
            { "duration", frames.Count * 1024 / 44100.0 },
            { "audiocodecid", (double)FlvSoundFormat.Aac },
            { "audiosamplerate", 44100 },
            { "audiosamplesize", 16 },
            { "stereo", false },
            { "encoder", "LiveRelay tests" },
        };
        FlvTag.WriteTag(output, FlvTagType.Script, 0, Write(o => FlvScriptData.WriteOnMetaData(o, metadata)));
        FlvTag.WriteTag(output, FlvTagType.Audio, 0, AacBody(sequenceHeader: true, config));
        for (var i = 0; i < frames.Count; i++)
        {
            FlvTag.WriteTag(output, FlvTagType.Audio, i * 1024L * 1000 / 44100, AacBody(sequenceHeader: false, frames[i]));
        }

        return output.WrittenSpan.ToArray();
    }

    private static byte[] AacBody(bool sequenceHeader, byte[] payload)
    {
        var body = new byte[FlvAudioHeader.AacLength + payload.Length];
        FlvAudioHeader.WriteAacHeader(body, sequenceHeader);
        payload.CopyTo(body, FlvAudioHeader.AacLength);
        return body;
    }
}
