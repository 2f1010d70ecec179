using System.Buffers;
using BenchmarkDotNet.Attributes;
using LiveRelay.Formats.Amf;

namespace LiveRelay.Benchmarks;

/// <summary>AMF0 command decoding and encoding (per command, not per frame).</summary>
[MemoryDiagnoser]
public class Amf0Benchmarks
{
    private byte[] _connect = [];
    private readonly ArrayBufferWriter<byte> _output = new(1024);

    [GlobalSetup]
    public void Setup()
    {
        var writer = new ArrayBufferWriter<byte>();
        Amf0Writer.WriteString(writer, "connect");
        Amf0Writer.WriteNumber(writer, 1);
        Amf0Writer.WriteObject(writer, ConnectObject());
        _connect = writer.WrittenSpan.ToArray();
    }

    [Benchmark]
    public int ReadConnect()
    {
        var reader = new Amf0Reader(_connect);
        var count = 0;
        while (!reader.End)
        {
            reader.ReadValue();
            count++;
        }

        return count;
    }

    [Benchmark]
    public int WriteConnect()
    {
        _output.ResetWrittenCount();
        Amf0Writer.WriteString(_output, "connect");
        Amf0Writer.WriteNumber(_output, 1);
        Amf0Writer.WriteObject(_output, ConnectObject());
        return _output.WrittenCount;
    }

    private static AmfObject ConnectObject() => new()
    {
        { "app", "live" },
        { "type", "nonprivate" },
        { "flashVer", "FMLE/3.0 (compatible; FMSc/1.0)" },
        { "swfUrl", "rtmp://127.0.0.1:1935/live" },
        { "tcUrl", "rtmp://127.0.0.1:1935/live" },
    };
}
