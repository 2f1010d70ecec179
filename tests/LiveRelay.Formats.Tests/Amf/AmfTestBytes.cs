using System.Buffers;
using LiveRelay.Formats.Amf;

namespace LiveRelay.Formats.Tests.Amf;

/// <summary>Byte-vector helpers shared by the AMF and FLV tests.</summary>
internal static class AmfTestBytes
{
    /// <summary>Hex digits to bytes; whitespace is ignored so vectors can be laid out by field.</summary>
    public static byte[] Hex(string hex) => Convert.FromHexString(string.Concat(hex.Where(c => !char.IsWhiteSpace(c))));

    public static byte[] Write(Action<IBufferWriter<byte>> write)
    {
        var output = new ArrayBufferWriter<byte>();
        write(output);
        return output.WrittenSpan.ToArray();
    }

    public static byte[] Encode(object? value) => Write(o => Amf0Writer.WriteValue(o, value));

    public static object? Decode(byte[] bytes)
    {
        var reader = new Amf0Reader(bytes);
        var value = reader.ReadValue();
        Assert.True(reader.End, "the value should use every byte");
        return value;
    }

    /// <summary>Deep equality of AMF values, including key order and the ECMA array flag.</summary>
    public static void AssertAmfEqual(object? expected, object? actual)
    {
        switch (expected)
        {
            case AmfObject e:
                var a = Assert.IsType<AmfObject>(actual);
                Assert.Equal(e.IsEcmaArray, a.IsEcmaArray);
                Assert.Equal(e.Select(p => p.Key), a.Select(p => p.Key));
                foreach (var (key, value) in e)
                {
                    AssertAmfEqual(value, a[key]);
                }

                break;
            case IEnumerable<object?> e when expected is not string:
                var list = Assert.IsType<List<object?>>(actual);
                var items = e.ToList();
                Assert.Equal(items.Count, list.Count);
                for (var i = 0; i < items.Count; i++)
                {
                    AssertAmfEqual(items[i], list[i]);
                }

                break;
            default:
                Assert.Equal(expected, actual);
                break;
        }
    }
}
