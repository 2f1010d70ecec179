using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using LiveRelay.Formats.Amf;

namespace LiveRelay.Formats.Flv;

/// <summary>
/// Script data (FLV tag type 18, RTMP data message type 18 in AMF 0): a name string followed by a
/// value, such as "onMetaData" and an ECMA array of stream properties.
/// </summary>
/// <remarks>
/// <code>
/// SCRIPTDATA (AMF 0):
/// +---------------------------+------------------------------------------+
/// | 0x02 U16 "onMetaData"     | 0x08 U32 count  name/value ...  00 00 09 |
/// +---------------------------+------------------------------------------+
/// RTMP publishers wrap it: 0x02 "@setDataFrame", 0x02 "onMetaData", 0x08 {...}
/// </code>
/// </remarks>
public static class FlvScriptData
{
    /// <summary>The name of the stream metadata message.</summary>
    public const string OnMetaData = "onMetaData";

    /// <summary>The name RTMP publishers put before "onMetaData" to ask the server to keep it.</summary>
    public const string SetDataFrame = "@setDataFrame";

    /// <summary>Writes "onMetaData" and <paramref name="metadata"/> as an ECMA array: an FLV script tag body or an RTMP data message to a player.</summary>
    public static void WriteOnMetaData(IBufferWriter<byte> output, AmfObject metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        Amf0Writer.WriteString(output, OnMetaData);
        Amf0Writer.WriteEcmaArray(output, metadata);
    }

    /// <summary>Writes "@setDataFrame", "onMetaData" and <paramref name="metadata"/>: the data message an RTMP publisher sends.</summary>
    public static void WriteSetDataFrame(IBufferWriter<byte> output, AmfObject metadata)
    {
        Amf0Writer.WriteString(output, SetDataFrame);
        WriteOnMetaData(output, metadata);
    }

    /// <summary>
    /// Reads the name of a script data body and, when the value after it is an object or ECMA array,
    /// that value (null otherwise, e.g. for "|RtmpSampleAccess"). "@setDataFrame" is unwrapped: the
    /// name returned is the one after it. Returns false when the body does not start with a string
    /// or is not valid AMF 0.
    /// </summary>
    public static bool TryReadScriptData(ReadOnlySpan<byte> body, [NotNullWhen(true)] out string? name, out AmfObject? data)
    {
        name = null;
        data = null;
        try
        {
            var reader = new Amf0Reader(body);
            if (reader.ReadValue() is not string first)
            {
                return false;
            }

            if (first == SetDataFrame)
            {
                if (reader.ReadValue() is not string inner)
                {
                    return false;
                }

                first = inner;
            }

            data = reader.End ? null : reader.ReadValue() as AmfObject;
            name = first;
            return true;
        }
        catch (AmfFormatException)
        {
            data = null;
            return false;
        }
    }
}
