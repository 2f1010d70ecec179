using LiveRelay.Formats.Amf;
using LiveRelay.Formats.Flv;
using static LiveRelay.Formats.Tests.Amf.AmfTestBytes;

namespace LiveRelay.Formats.Tests.Flv;

public class FlvScriptDataTests
{
    private const string OnMetaDataHex = "02 000a 6f6e4d65746144617461";
    private const string MetadataHex =
        "08 00000002  0005 7769647468 00 4094000000000000  0006 73746572656f 01 01  0000 09";

    private static AmfObject Metadata() => new() { { "width", 1280 }, { "stereo", true } };

    [Fact]
    public void WriteOnMetaData_Metadata_WritesNameAndEcmaArray()
    {
        var bytes = Write(o => FlvScriptData.WriteOnMetaData(o, Metadata()));

        Assert.Equal(Hex(OnMetaDataHex + MetadataHex), bytes);
    }

    [Fact]
    public void WriteSetDataFrame_Metadata_WritesWrapperNameAndEcmaArray()
    {
        var bytes = Write(o => FlvScriptData.WriteSetDataFrame(o, Metadata()));

        Assert.Equal(Hex("02 000d 40736574446174614672616d65" + OnMetaDataHex + MetadataHex), bytes);
    }

    [Fact]
    public void TryReadScriptData_OnMetaData_ReturnsNameAndData()
    {
        Assert.True(FlvScriptData.TryReadScriptData(Hex(OnMetaDataHex + MetadataHex), out var name, out var data));

        Assert.Equal("onMetaData", name);
        Assert.NotNull(data);
        Assert.True(data.IsEcmaArray);
        Assert.True(data.TryGetNumber("width", out var width));
        Assert.Equal(1280.0, width);
        Assert.Equal(true, data["stereo"]);
    }

    [Fact]
    public void TryReadScriptData_SetDataFrameWrapper_UnwrapsOnMetaData()
    {
        // What OBS and ffmpeg send as an RTMP data message when they publish.
        var body = Hex("02 000d 40736574446174614672616d65" + OnMetaDataHex + MetadataHex);

        Assert.True(FlvScriptData.TryReadScriptData(body, out var name, out var data));

        Assert.Equal("onMetaData", name);
        Assert.Equal(2, data!.Count);
    }

    [Fact]
    public void TryReadScriptData_PlainObjectInsteadOfEcmaArray_ReturnsData()
    {
        var body = Hex(OnMetaDataHex + "03 0007 656e636f646572 02 0006 4c6176663630 0000 09");

        Assert.True(FlvScriptData.TryReadScriptData(body, out var name, out var data));

        Assert.Equal("onMetaData", name);
        Assert.False(data!.IsEcmaArray);
        Assert.Equal("Lavf60", data["encoder"]);
    }

    [Fact]
    public void TryReadScriptData_NonObjectValues_ReturnsNameAndNullData()
    {
        // |RtmpSampleAccess, false, false
        var body = Hex("02 0011 7c52746d7053616d706c65416363657373 0100 0100");

        Assert.True(FlvScriptData.TryReadScriptData(body, out var name, out var data));

        Assert.Equal("|RtmpSampleAccess", name);
        Assert.Null(data);
    }

    [Fact]
    public void TryReadScriptData_NameOnly_ReturnsNullData()
    {
        Assert.True(FlvScriptData.TryReadScriptData(Hex("02 000a 6f6e5465787444617461"), out var name, out var data));

        Assert.Equal("onTextData", name);
        Assert.Null(data);
    }

    [Theory]
    [InlineData("")]                                                   // empty
    [InlineData("00 3ff0000000000000")]                                // starts with a number
    [InlineData("02 000a 6f6e4d657461")]                               // name cut short
    [InlineData(OnMetaDataHex + "08 00000001 0001 61 05")]             // ECMA array without its end
    [InlineData("02 000d 40736574446174614672616d65 05")]              // @setDataFrame then no name
    [InlineData(OnMetaDataHex + "11 0a")]                              // AMF 3 value
    public void TryReadScriptData_Malformed_ReturnsFalse(string hex)
    {
        Assert.False(FlvScriptData.TryReadScriptData(Hex(hex), out var name, out var data));

        Assert.Null(name);
        Assert.Null(data);
    }

    [Fact]
    public void TryReadScriptData_EveryTruncatedPrefixOfMetadata_ReturnsFalseOrNameOnly()
    {
        var body = Hex(OnMetaDataHex + MetadataHex);
        var nameLength = Hex(OnMetaDataHex).Length;

        for (var length = 0; length < body.Length; length++)
        {
            var ok = FlvScriptData.TryReadScriptData(body.AsSpan(0, length), out _, out var data);

            Assert.Equal(length == nameLength, ok); // only the cut right after the name is a valid body
            Assert.Null(data);
        }
    }
}
