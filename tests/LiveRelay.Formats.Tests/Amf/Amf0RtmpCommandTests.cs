using LiveRelay.Formats.Amf;
using static LiveRelay.Formats.Tests.Amf.AmfTestBytes;

namespace LiveRelay.Formats.Tests.Amf;

/// <summary>The two commands every RTMP session starts with, as bytes built by hand from the AMF 0 spec.</summary>
public class Amf0RtmpCommandTests
{
    // connect as OBS (librtmp's SendConnectPacket) sends it to publish rtmp://localhost/live.
    private static readonly byte[] s_obsConnect = Hex(
        "02 0007 636f6e6e656374" +                                          // "connect"
        "00 3ff0000000000000" +                                             // transaction id 1.0
        "03" +                                                              // command object {
        "0003 617070" + "02 0004 6c697665" +                                //   app: "live"
        "0004 74797065" + "02 000a 6e6f6e70726976617465" +                  //   type: "nonprivate"
        "0008 666c617368566572" +                                           //   flashVer:
        "02 001f 464d4c452f332e302028636f6d70617469626c653b20464d53632f312e3029" + // "FMLE/3.0 (compatible; FMSc/1.0)"
        "0006 73776655726c" + "02 0015 72746d703a2f2f6c6f63616c686f73742f6c697665" + // swfUrl: "rtmp://localhost/live"
        "0005 746355726c" + "02 0015 72746d703a2f2f6c6f63616c686f73742f6c697665" +  // tcUrl: "rtmp://localhost/live"
        "0000 09");                                                         // }

    // _result for connect, as SRS and nginx-rtmp answer.
    private static readonly byte[] s_connectResult = Hex(
        "02 0007 5f726573756c74" +                                          // "_result"
        "00 3ff0000000000000" +                                             // transaction id 1.0
        "03" +                                                              // properties {
        "0006 666d73566572" + "02 000d 464d532f332c302c312c313233" +        //   fmsVer: "FMS/3,0,1,123"
        "000c 6361706162696c6974696573" + "00 403f000000000000" +           //   capabilities: 31.0
        "0000 09" +                                                         // }
        "03" +                                                              // information {
        "0005 6c6576656c" + "02 0006 737461747573" +                        //   level: "status"
        "0004 636f6465" +                                                   //   code:
        "02 001d 4e6574436f6e6e656374696f6e2e436f6e6e6563742e53756363657373" + // "NetConnection.Connect.Success"
        "000b 6465736372697074696f6e" +                                     //   description:
        "02 0015 436f6e6e656374696f6e207375636365656465642e" +              //   "Connection succeeded."
        "000e 6f626a656374456e636f64696e67" + "00 0000000000000000" +       //   objectEncoding: 0.0
        "0000 09");                                                         // }

    [Fact]
    public void Write_ObsConnect_MatchesHandBuiltBytes()
    {
        var bytes = Write(o =>
        {
            Amf0Writer.WriteString(o, "connect");
            Amf0Writer.WriteNumber(o, 1);
            Amf0Writer.WriteObject(o, new AmfObject
            {
                { "app", "live" },
                { "type", "nonprivate" },
                { "flashVer", "FMLE/3.0 (compatible; FMSc/1.0)" },
                { "swfUrl", "rtmp://localhost/live" },
                { "tcUrl", "rtmp://localhost/live" },
            });
        });

        Assert.Equal(Convert.ToHexString(s_obsConnect), Convert.ToHexString(bytes));
    }

    [Fact]
    public void Read_ObsConnect_ReturnsCommandFields()
    {
        var reader = new Amf0Reader(s_obsConnect);

        Assert.Equal("connect", reader.ReadString());
        Assert.Equal(1.0, reader.ReadNumber());
        var command = reader.ReadObject();

        Assert.True(reader.End);
        Assert.False(command.IsEcmaArray);
        Assert.Equal(new[] { "app", "type", "flashVer", "swfUrl", "tcUrl" }, command.Select(p => p.Key));
        Assert.True(command.TryGetString("app", out var app));
        Assert.Equal("live", app);
        Assert.True(command.TryGetString("tcUrl", out var tcUrl));
        Assert.Equal("rtmp://localhost/live", tcUrl);
        Assert.Equal("FMLE/3.0 (compatible; FMSc/1.0)", command["flashVer"]);
        Assert.Null(command["objectEncoding"]);
    }

    [Fact]
    public void Write_ConnectResult_MatchesHandBuiltBytes()
    {
        var bytes = Write(o =>
        {
            Amf0Writer.WriteString(o, "_result");
            Amf0Writer.WriteNumber(o, 1);
            Amf0Writer.WriteValue(o, new AmfObject { { "fmsVer", "FMS/3,0,1,123" }, { "capabilities", 31 } });
            Amf0Writer.WriteValue(o, new AmfObject
            {
                { "level", "status" },
                { "code", "NetConnection.Connect.Success" },
                { "description", "Connection succeeded." },
                { "objectEncoding", 0 },
            });
        });

        Assert.Equal(Convert.ToHexString(s_connectResult), Convert.ToHexString(bytes));
    }

    [Fact]
    public void Read_ConnectResult_ReturnsStatusCode()
    {
        var reader = new Amf0Reader(s_connectResult);

        Assert.Equal("_result", reader.ReadString());
        Assert.Equal(1.0, reader.ReadNumber());
        var properties = reader.ReadObject();
        var information = reader.ReadObject();

        Assert.True(reader.End);
        Assert.True(properties.TryGetNumber("capabilities", out var capabilities));
        Assert.Equal(31.0, capabilities);
        Assert.True(information.TryGetString("code", out var code));
        Assert.Equal("NetConnection.Connect.Success", code);
        Assert.True(information.TryGetNumber("objectEncoding", out var encoding));
        Assert.Equal(0.0, encoding);
    }

    [Theory]
    [InlineData(nameof(s_obsConnect))]
    [InlineData(nameof(s_connectResult))]
    public void Read_EveryTruncatedPrefixOfCommand_ThrowsAmfFormatException(string name)
    {
        var bytes = name == nameof(s_obsConnect) ? s_obsConnect : s_connectResult;
        var valueCount = name == nameof(s_obsConnect) ? 3 : 4;

        for (var length = 0; length < bytes.Length; length++)
        {
            var prefix = bytes[..length];
            Assert.Throws<AmfFormatException>(() =>
            {
                var reader = new Amf0Reader(prefix);
                for (var i = 0; i < valueCount; i++)
                {
                    reader.ReadValue();
                }
            });
        }
    }
}
