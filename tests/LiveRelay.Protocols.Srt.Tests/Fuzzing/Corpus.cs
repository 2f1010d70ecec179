using System.Runtime.InteropServices;

namespace LiveRelay.Protocols.Srt.Tests.Fuzzing;

/// <summary>
/// Streamids kept from fuzzing and the limits it probes, replayed through the same check (allocation guard armed
/// after a warm-up run). The SRT fuzzer has found no failure so far; these are the edge cases it must keep passing.
/// </summary>
public sealed class Corpus
{
    public static TheoryData<string, string> StreamIds => new()
    {
        { "a lone percent", "%" },
        { "a broken escape before the path", "%Zlive/cam1" },
        { "an escaped invalid UTF-8 sequence", "live/cam%C3%28" },
        { "an escaped surrogate", "#!::r=live/%ED%A0%80" },
        { "a raw lone surrogate", "\ud800live/cam1" },
        { "control characters", "live/\u0000\u0007\u001F\u007F" },
        { "the access-control prefix alone", "#!::" },
        { "an empty key", "#!::=live/cam1" },
        { "an empty resource", "#!::r=" },
        { "only commas", "#!::,,,," },
        { "33 keys", "#!::r=live/cam1," + string.Join(',', Enumerable.Range(0, 32).Select(i => $"k{i}=v")) },
        { "a mode prefix and nothing else", "read:" },
        { "a leading colon", ":live/cam1" },
        { "a query of escapes only", "live/cam1?%=%&%%&=" },
        { "an escape that decodes to the access-control prefix", "%23%21%3A%3A%23%21%3A%3Ar%3D" },
        { "512 characters", "live/" + new string('a', SrtStreamId.MaxLength - 5) },
        { "513 characters", "live/" + new string('a', SrtStreamId.MaxLength - 4) },
        { "512 characters of escapes", string.Concat(Enumerable.Repeat("%2F", SrtStreamId.MaxLength / 3)) },
        { "whitespace only", " \t\r\n" },
    };

    [Theory]
    [MemberData(nameof(StreamIds))]
    public void TryParse_CorpusStreamId_PassesTheFuzzCheck(string name, string streamId)
    {
        Assert.NotEmpty(name);
        Fuzz.Replay(MemoryMarshal.AsBytes(streamId.AsSpan()).ToArray(), SrtStreamIdFuzzTests.Check);
    }

    [Fact]
    public void TryParse_Null_ReturnsFalseWithAReason()
    {
        Assert.False(SrtStreamId.TryParse(null, out var streamId, out var error));
        Assert.Null(streamId);
        Assert.NotEmpty(error);
    }
}
