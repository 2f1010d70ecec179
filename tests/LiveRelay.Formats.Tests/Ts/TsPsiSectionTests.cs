using LiveRelay.Formats.Ts;

namespace LiveRelay.Formats.Tests.Ts;

public class TsPsiSectionTests
{
    private static readonly byte[] PatPayload = Convert.FromHexString(TsTestData.FfmpegPatPacket[8..]); // pointer_field onwards

    [Fact]
    public void TryRead_FfmpegPat_ReturnsTableAndBody()
    {
        Assert.True(TsPsiSection.TryRead(PatPayload, out var section));

        Assert.Equal(0, section.TableId);
        Assert.Equal(1, section.TableIdExtension);
        Assert.Equal(0, section.Version);
        Assert.Equal("0001F000", Convert.ToHexString(section.Body));
    }

    [Fact]
    public void TryRead_FfmpegPmt_ReturnsStreams()
    {
        Assert.True(TsPsiSection.TryRead(Convert.FromHexString(TsTestData.FfmpegPmtPacket[8..]), out var section));

        Assert.Equal(2, section.TableId);
        Assert.Equal("E100F0001BE100F0000FE101F000", Convert.ToHexString(section.Body));
    }

    [Fact]
    public void TryRead_EveryTruncatedPrefix_ReturnsFalse()
    {
        for (var length = 0; length < PatPayload.Length; length++)
        {
            Assert.False(TsPsiSection.TryRead(PatPayload.AsSpan(0, length), out _), $"prefix of {length} bytes parsed");
        }
    }

    [Fact]
    public void TryRead_CorruptByte_FailsCrc()
    {
        var payload = (byte[])PatPayload.Clone();
        payload[10] ^= 0x01;

        Assert.False(TsPsiSection.TryRead(payload, out _));
    }

    [Fact]
    public void TryRead_PointerFieldSkipsBytes()
    {
        byte[] payload = [0x02, 0xAA, 0xBB, .. PatPayload[1..]];

        Assert.True(TsPsiSection.TryRead(payload, out var section));
        Assert.Equal(1, section.TableIdExtension);
    }
}
