using LiveRelay.Formats.Ts;

namespace LiveRelay.Formats.Tests.Ts;

/// <summary>One reassembled PES and the packets that carried it.</summary>
internal sealed record DemuxedPes(int Pid, PesHeader Header, byte[] Data, List<(TsPacketHeader Header, byte[] Bytes)> Packets)
{
    public TsPacketHeader FirstPacket => Packets[0].Header;
}

/// <summary>
/// Splits muxer output into packets and PES, asserting the transport-level invariants on the way:
/// whole 188-byte packets, parseable headers, continuity counters that step by one per PID.
/// </summary>
internal static class TsTestDemuxer
{
    public static List<(TsPacketHeader Header, byte[] Bytes)> Packets(ReadOnlySpan<byte> ts)
    {
        Assert.Equal(0, ts.Length % TsPacket.Length);
        var packets = new List<(TsPacketHeader, byte[])>();
        var counters = new Dictionary<int, int>();
        for (var offset = 0; offset < ts.Length; offset += TsPacket.Length)
        {
            var bytes = ts.Slice(offset, TsPacket.Length).ToArray();
            Assert.True(TsPacketReader.TryReadPacket(bytes, out var header), $"packet at {offset} did not parse");
            if (header.HasPayload)
            {
                if (counters.TryGetValue(header.Pid, out var previous))
                {
                    Assert.Equal((previous + 1) & 0xF, header.ContinuityCounter);
                }

                counters[header.Pid] = header.ContinuityCounter;
            }

            packets.Add((header, bytes));
        }

        return packets;
    }

    /// <summary>The PES of every elementary PID (not PAT/PMT), in the order they start.</summary>
    public static List<DemuxedPes> Pes(ReadOnlySpan<byte> ts)
    {
        var result = new List<DemuxedPes>();
        var open = new Dictionary<int, (List<byte> Data, List<(TsPacketHeader, byte[])> Packets)>();
        var order = new List<(int Pid, List<byte> Data, List<(TsPacketHeader, byte[])> Packets)>();
        foreach (var (header, bytes) in Packets(ts))
        {
            if (header.Pid is TsPacket.PatPid or TsMuxer.PmtPid)
            {
                continue;
            }

            if (header.PayloadUnitStart)
            {
                var fresh = (new List<byte>(), new List<(TsPacketHeader, byte[])>());
                open[header.Pid] = fresh;
                order.Add((header.Pid, fresh.Item1, fresh.Item2));
            }

            Assert.True(open.ContainsKey(header.Pid), "payload before the first PUSI");
            var current = open[header.Pid];
            current.Data.AddRange(TsPacketReader.GetPayload(bytes, header).ToArray());
            current.Packets.Add((header, bytes));
        }

        foreach (var (pid, data, packets) in order)
        {
            var bytes = data.ToArray();
            Assert.True(PesHeader.TryParse(bytes, out var pes), "PES header did not parse");
            if (pes.PacketLength != 0)
            {
                Assert.Equal(bytes.Length - 6, pes.PacketLength);
            }

            result.Add(new DemuxedPes(pid, pes, bytes[pes.HeaderLength..], packets));
        }

        return result;
    }
}
