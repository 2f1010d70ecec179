using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Xunit.Abstractions;

namespace LiveRelay.Formats.Tests.Fuzzing;

/// <summary>A parser error that is a known, reported bug: tolerated by the mutation loop so it keeps looking for others.</summary>
/// <param name="Description">What the bug is and where; the same text as the skipped corpus replay test.</param>
/// <param name="Matches">True for an exception that is this bug.</param>
internal sealed record KnownBug(string Description, Func<Exception, bool> Matches);

/// <summary>One parser under fuzz: its valid seeds, budget, how to parse an input, and what it may throw.</summary>
internal sealed class FuzzTarget
{
    /// <summary>Shown in failure messages, e.g. <c>TsDemuxer.Push</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The random seed is <see cref="Fuzz.SeedBase"/> + this, so every target has its own fixed stream of mutants.</summary>
    public required int Index { get; init; }

    /// <summary>Valid inputs the mutants start from; each must parse (<see cref="Parse"/> returns true) unmutated.</summary>
    public required IReadOnlyList<byte[]> Seeds { get; init; }

    /// <summary>Mutants to run (a count, not a time: the run is deterministic).</summary>
    public required int Iterations { get; init; }

    /// <summary>Parses one input; true when the parser accepted it, false when it rejected it without throwing.</summary>
    public required Func<byte[], bool> Parse { get; init; }

    /// <summary>The parser's documented format error; the default is a parser documented never to throw.</summary>
    public Func<Exception, bool> IsDocumented { get; init; } = _ => false;

    /// <summary>Allowed allocation per parsed input: <see cref="AllocationPerByte"/> × input length + <see cref="AllocationSlack"/>.</summary>
    public long AllocationPerByte { get; init; } = 64;

    /// <summary>The constant part of the allocation bound (parser state, pooled buffers, lookup tables).</summary>
    public long AllocationSlack { get; init; } = 1 << 20;

    /// <summary>Tokens (magic numbers, box types, text keywords) spliced into mutants.</summary>
    public IReadOnlyList<byte[]> Dictionary { get; init; } = [];

    /// <summary>Inputs that once failed (hex), replayed before the mutants.</summary>
    public IReadOnlyList<string> Corpus { get; init; } = [];

    /// <summary>Reported bugs the mutation loop tolerates (see <see cref="KnownBug"/>); the corpus replay tests do not.</summary>
    public IReadOnlyList<KnownBug> KnownBugs { get; init; } = [];

    /// <summary>Mutants are cut to this length.</summary>
    public int MaxLength { get; init; } = 16 * 1024;

    /// <summary>The same target replaying other inputs: for vectors built in code rather than kept in <see cref="Corpus"/>.</summary>
    public FuzzTarget WithCorpus(params byte[][] inputs) => new()
    {
        Name = Name,
        Index = Index,
        Seeds = Seeds,
        Iterations = Iterations,
        Parse = Parse,
        IsDocumented = IsDocumented,
        AllocationPerByte = AllocationPerByte,
        AllocationSlack = AllocationSlack,
        Dictionary = Dictionary,
        Corpus = [.. inputs.Select(Convert.ToHexString)],
        KnownBugs = KnownBugs,
        MaxLength = MaxLength,
    };
}

/// <summary>What a run did: inputs accepted, rejected (false, no exception), thrown the documented error, or hit a known bug.</summary>
internal sealed record FuzzStats(string Name, int Inputs, int Accepted, int Rejected, int Thrown, int KnownBugHits, long MaxAllocated)
{
    public override string ToString() =>
        $"{Name}: {Inputs} inputs, {Accepted} accepted, {Rejected} rejected, {Thrown} documented errors, {KnownBugHits} known-bug hits, "
        + $"largest allocation {MaxAllocated / 1024.0:F1} KiB";
}

/// <summary>
/// Seeded, count-bounded mutation fuzzing. Each input runs under a try/catch: anything but the target's documented
/// error fails the test with the seed, iteration, mutations and the input in hex (ready for <see cref="Corpus"/>).
/// A run that does not finish within <see cref="HangTimeout"/> fails as a hang (an infinite-loop detector, not a
/// timing assertion: the budget is a count, and a normal run takes a small fraction of it). The allocation of each
/// call is measured with <see cref="GC.GetAllocatedBytesForCurrentThread"/> against the target's bound.
/// </summary>
/// <remarks>
/// For a longer search outside CI, set <c>LIVERELAY_FUZZ_SCALE</c> (multiplies every budget) and/or
/// <c>LIVERELAY_FUZZ_SEED</c> (replaces <see cref="BaseSeed"/>); failures print the seed they ran with.
/// </remarks>
internal static class Fuzz
{
    /// <summary>The fixed base of every target's random seed.</summary>
    public const int BaseSeed = 20261202;

    /// <summary>The budget multiplier, 1 unless <c>LIVERELAY_FUZZ_SCALE</c> says otherwise.</summary>
    public static readonly int Scale =
        int.TryParse(Environment.GetEnvironmentVariable("LIVERELAY_FUZZ_SCALE"), out var scale) && scale > 1 ? scale : 1;

    /// <summary>The base of the random seeds in use: <see cref="BaseSeed"/> unless <c>LIVERELAY_FUZZ_SEED</c> says otherwise.</summary>
    public static readonly int SeedBase =
        int.TryParse(Environment.GetEnvironmentVariable("LIVERELAY_FUZZ_SEED"), out var seed) ? seed : BaseSeed;

    /// <summary>How long a whole run may take before it is reported as a hang.</summary>
    public static readonly TimeSpan HangTimeout = TimeSpan.FromSeconds(60 * Scale);

    /// <summary>Replays the corpus, checks the seeds parse, then runs the mutants; returns the counts.</summary>
    public static FuzzStats Run(FuzzTarget target, ITestOutputHelper? output = null)
    {
        var run = new FuzzRun(target, mutate: true, tolerateKnownBugs: true);
        var stats = run.Execute();
        output?.WriteLine(stats.ToString());
        Assert.True(stats.Accepted > target.Seeds.Count, $"{target.Name}: no mutant was accepted; the mutations never reach past the first check");
        Assert.True(stats.Rejected + stats.Thrown > 0, $"{target.Name}: no mutant was rejected; the parse action checks nothing");
        return stats;
    }

    /// <summary>Replays only the corpus, strictly (known bugs fail).</summary>
    public static FuzzStats Replay(FuzzTarget target)
    {
        Assert.NotEmpty(target.Corpus);
        return new FuzzRun(target, mutate: false, tolerateKnownBugs: false).Execute();
    }

    /// <summary>A seed list of UTF-8 texts.</summary>
    public static byte[][] Utf8(params string[] texts) => [.. texts.Select(Encoding.UTF8.GetBytes)];

    /// <summary>Decodes a fuzz input as text: invalid UTF-8 becomes U+FFFD, so every input is some string.</summary>
    public static string Text(byte[] input) => Encoding.UTF8.GetString(input);

    /// <summary>
    /// Frames packets for a stateful parser as one input: each packet is a 16-bit big-endian length and its bytes.
    /// <see cref="Unframe"/> reads them back, cutting a length that runs past the end, so every mutant is some packet list.
    /// </summary>
    public static byte[] Frame(IEnumerable<byte[]> packets)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach (var packet in packets)
        {
            var span = output.GetSpan(2 + packet.Length);
            BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)packet.Length);
            packet.CopyTo(span[2..]);
            output.Advance(2 + packet.Length);
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>The packets of a <see cref="Frame"/>d input, as slices of it.</summary>
    public static List<ReadOnlyMemory<byte>> Unframe(byte[] input)
    {
        var packets = new List<ReadOnlyMemory<byte>>();
        var position = 0;
        while (input.Length - position >= 2)
        {
            var length = Math.Min(BinaryPrimitives.ReadUInt16BigEndian(input.AsSpan(position)), input.Length - position - 2);
            packets.Add(input.AsMemory(position + 2, length));
            position += 2 + length;
        }

        return packets;
    }

    /// <summary>The input as a multi-segment sequence, cut every <paramref name="size"/> bytes.</summary>
    public static ReadOnlySequence<byte> Segmented(byte[] input, int size)
    {
        if (input.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new Segment(input.AsMemory(0, Math.Min(size, input.Length)), 0);
        var last = first;
        for (var offset = size; offset < input.Length; offset += size)
        {
            last = last.Append(input.AsMemory(offset, Math.Min(size, input.Length - offset)));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>Thrown by a parse action when a documented property (not an exception type) is broken.</summary>
    public static Exception PropertyBroken(string message) => new FuzzPropertyException(message);

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    /// <summary>The state of one run, shared by the worker thread and the test thread that watches it.</summary>
    private sealed class FuzzRun(FuzzTarget target, bool mutate, bool tolerateKnownBugs)
    {
        private volatile byte[] _current = [];
        private volatile string _where = "start";

        public FuzzStats Execute()
        {
            FuzzStats? stats = null;
            string? failure = null;
            var worker = new Thread(
                () =>
                {
                    try
                    {
                        stats = Loop(out failure);
                    }
                    catch (Exception e)
                    {
                        failure = $"{target.Name}: the fuzz loop itself failed: {e}";
                    }
                })
            {
                IsBackground = true, // a hung parser must not keep the test host alive
                Name = $"fuzz {target.Name}",
            };
            worker.Start();
            if (!worker.Join(HangTimeout))
            {
                var input = _current;
                Assert.Fail($"{target.Name}: no result within {HangTimeout.TotalSeconds} s at {_where}: an infinite loop or a quadratic blow-up.\n"
                    + $"input ({input.Length} bytes): {Convert.ToHexString(input)}");
            }

            if (failure is not null)
            {
                Assert.Fail(failure);
            }

            return stats!;
        }

        private FuzzStats Loop(out string? failure)
        {
            failure = null;
            int inputs = 0, accepted = 0, rejected = 0, thrown = 0, knownBugHits = 0;
            long maxAllocated = 0;

            bool Check(byte[] input, string where, out string? message)
            {
                message = null;
                _current = input;
                _where = where;
                inputs++;
                var before = GC.GetAllocatedBytesForCurrentThread();
                Exception? error = null;
                var ok = false;
                try
                {
                    ok = target.Parse(input);
                }
                catch (Exception e)
                {
                    error = e;
                }

                var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                maxAllocated = Math.Max(maxAllocated, allocated);
                var bound = target.AllocationPerByte * input.Length + target.AllocationSlack;
                if (error is null && allocated > bound)
                {
                    message = Describe(where, input, $"allocated {allocated} bytes, above the bound of {bound} "
                        + $"({target.AllocationPerByte} × {input.Length} input bytes + {target.AllocationSlack})");
                    return false;
                }

                if (error is null)
                {
                    _ = ok ? accepted++ : rejected++;
                    return true;
                }

                if (error is not FuzzPropertyException && target.IsDocumented(error))
                {
                    thrown++;
                    return true;
                }

                if (tolerateKnownBugs && error is not FuzzPropertyException && target.KnownBugs.Any(b => b.Matches(error)))
                {
                    knownBugHits++;
                    return true;
                }

                message = Describe(where, input, error is FuzzPropertyException
                    ? $"broke a documented property: {error.Message}"
                    : $"threw an undocumented {error.GetType().FullName}: {error}");
                return false;
            }

            for (var i = 0; i < target.Corpus.Count; i++)
            {
                if (!Check(Convert.FromHexString(target.Corpus[i]), $"corpus entry {i}", out failure))
                {
                    return null!;
                }
            }

            if (!mutate)
            {
                return new FuzzStats(target.Name, inputs, accepted, rejected, thrown, knownBugHits, maxAllocated);
            }

            for (var i = 0; i < target.Seeds.Count; i++)
            {
                var before = accepted;
                if (!Check(target.Seeds[i], $"seed {i} (unmutated)", out failure))
                {
                    return null!;
                }

                if (accepted == before)
                {
                    failure = Describe($"seed {i} (unmutated)", target.Seeds[i], "was rejected: the seeds must be valid inputs");
                    return null!;
                }
            }

            var mutator = new Mutator(new Random(SeedBase + target.Index), target.Seeds, target.Dictionary, target.MaxLength);
            for (var iteration = 0; iteration < target.Iterations * Scale; iteration++)
            {
                var input = mutator.Next(out var seed, out var operations);
                if (!Check(input, $"iteration {iteration} (seed {seed}, {operations})", out failure))
                {
                    return null!;
                }
            }

            return new FuzzStats(target.Name, inputs, accepted, rejected, thrown, knownBugHits, maxAllocated);
        }

        private string Describe(string where, byte[] input, string what) =>
            $"{target.Name} {what}\nat {where}, random seed {SeedBase + target.Index}.\n"
            + $"Add the input to Fuzzing/Corpus.cs to replay it:\ninput ({input.Length} bytes): {Convert.ToHexString(input)}";
    }

    private sealed class FuzzPropertyException(string message) : Exception(message);
}

/// <summary>
/// Makes mutants of the seeds: bit flips, interesting byte and word values, truncation, extension with random bytes,
/// chunk duplication and removal, splices of two seeds, length-field inflation at aligned offsets, dictionary tokens,
/// and (one time in twenty) a purely random buffer.
/// </summary>
internal sealed class Mutator(Random random, IReadOnlyList<byte[]> seeds, IReadOnlyList<byte[]> dictionary, int maxLength)
{
    private static readonly byte[] s_interestingBytes = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0xFE];

    private static readonly uint[] s_interestingWords =
        [0, 1, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFE, 0xFFFF_FFFF];

    private readonly int _longestSeed = seeds.Max(s => s.Length);

    public byte[] Next(out int seedIndex, out string operations)
    {
        seedIndex = random.Next(seeds.Count);
        if (random.Next(20) == 0)
        {
            var length = random.Next(Math.Min(maxLength, 2 * _longestSeed + 16) + 1);
            var buffer = new byte[length];
            random.NextBytes(buffer);
            operations = $"random {length} bytes";
            return buffer;
        }

        var data = new List<byte>(seeds[seedIndex]);
        var names = new StringBuilder();
        var count = 1 + (random.Next(8) switch { < 4 => 0, < 6 => 1, < 7 => 2, _ => 4 });
        for (var i = 0; i < count; i++)
        {
            names.Append(i == 0 ? "" : "+").Append(Mutate(data));
        }

        if (data.Count > maxLength)
        {
            data.RemoveRange(maxLength, data.Count - maxLength);
        }

        operations = names.ToString();
        return [.. data];
    }

    private string Mutate(List<byte> data)
    {
        switch (random.Next(data.Count == 0 ? 2 : 12))
        {
            case 0:
            {
                var extra = new byte[1 + random.Next(64)];
                random.NextBytes(extra);
                data.AddRange(extra);
                return $"extend({extra.Length})";
            }

            case 1:
            {
                var other = seeds[random.Next(seeds.Count)];
                var cut = random.Next(data.Count + 1);
                var from = random.Next(other.Length + 1);
                data.RemoveRange(cut, data.Count - cut);
                data.AddRange(other.AsSpan(from).ToArray());
                return $"splice({cut},{from})";
            }

            case 2:
            {
                var flips = 1 + random.Next(8);
                for (var i = 0; i < flips; i++)
                {
                    var position = random.Next(data.Count);
                    data[position] ^= (byte)(1 << random.Next(8));
                }

                return $"bitflip({flips})";
            }

            case 3:
            {
                var position = random.Next(data.Count);
                data[position] = s_interestingBytes[random.Next(s_interestingBytes.Length)];
                return $"byte@{position}";
            }

            case 4:
            {
                var position = random.Next(data.Count);
                data[position] = (byte)random.Next(256);
                return $"random-byte@{position}";
            }

            case 5:
            {
                var keep = random.Next(data.Count);
                data.RemoveRange(keep, data.Count - keep);
                return $"truncate({keep})";
            }

            case 6:
            {
                var start = random.Next(data.Count);
                var length = 1 + random.Next(Math.Min(256, data.Count - start));
                var chunk = data.GetRange(start, length);
                data.InsertRange(random.Next(data.Count + 1), chunk);
                return $"duplicate({start},{length})";
            }

            case 7:
            {
                var start = random.Next(data.Count);
                var length = 1 + random.Next(Math.Min(256, data.Count - start));
                data.RemoveRange(start, length);
                return $"remove({start},{length})";
            }

            case 8:
            case 9:
            {
                // Length-field inflation: a 16- or 32-bit big-endian value at an aligned offset.
                var wide = random.Next(2) == 0;
                var size = wide ? 4 : 2;
                if (data.Count < size)
                {
                    goto case 0;
                }

                var position = random.Next((data.Count - size) / size + 1) * size;
                if (random.Next(3) == 0)
                {
                    position = random.Next(data.Count - size + 1); // and sometimes unaligned
                }

                var value = random.Next(3) switch
                {
                    0 => wide ? 0x7FFF_FFFFu : 0xFFFFu,
                    1 => s_interestingWords[random.Next(s_interestingWords.Length)],
                    _ => (uint)random.Next() ^ (uint)random.Next(2) << 31,
                };
                for (var i = 0; i < size; i++)
                {
                    data[position + i] = (byte)(value >> (8 * (size - 1 - i)));
                }

                return $"u{size * 8}@{position}=0x{value & (wide ? 0xFFFF_FFFF : 0xFFFF):X}";
            }

            case 10 when dictionary.Count > 0:
            {
                var token = dictionary[random.Next(dictionary.Count)];
                var position = random.Next(data.Count + 1);
                if (random.Next(2) == 0 && position + token.Length <= data.Count)
                {
                    for (var i = 0; i < token.Length; i++)
                    {
                        data[position + i] = token[i];
                    }

                    return $"token-over@{position}";
                }

                data.InsertRange(position, token);
                return $"token-in@{position}";
            }

            default:
            {
                var extra = new byte[1 + random.Next(16)];
                random.NextBytes(extra);
                var position = random.Next(data.Count + 1);
                data.InsertRange(position, extra);
                return $"insert({position},{extra.Length})";
            }
        }
    }
}
