using LiveRelay.Formats.Ts;

namespace LiveRelay.LoadTest.Players;

/// <summary>
/// Finds the first video keyframe in an MPEG-TS byte stream fed in arbitrary pieces (SRT messages are
/// normally seven whole packets, but nothing here relies on it): the first transport packet that starts
/// a video PES and has the random access indicator set, which LiveRelay's <c>TsMuxer</c> sets on
/// keyframes. It needs no PAT/PMT: the PES stream_id says "video". Pure: no I/O, no allocation per feed.
/// </summary>
/// <remarks>
/// <code>
///  TS packet (188): 0x47 | TEI 1, PUSI 1, priority 1, PID 13 | scrambling 2, adaptation_field_control 2, CC 4
///                   [adaptation_field: length 8 | discontinuity 1, random_access 1, ... | ...]
///                   [payload]
///  PES start (PUSI = 1): packet_start_code_prefix 0x00 0x00 0x01 | stream_id (0xE0–0xEF = video) | ...
/// </code>
/// </remarks>
internal sealed class TsKeyframeScanner
{
    private const byte FirstVideoStreamId = 0xE0;
    private const byte LastVideoStreamId = 0xEF;

    private readonly byte[] _partial = new byte[TsPacket.Length];
    private int _have;

    /// <summary>True once a keyframe's first packet has been seen.</summary>
    public bool Found { get; private set; }

    /// <summary>Packets skipped because they did not parse (lost sync, bad adaptation field).</summary>
    public long BadPackets { get; private set; }

    /// <summary>Consumes <paramref name="data"/>; returns true when the keyframe is in it (or was before).</summary>
    public bool Feed(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty && !Found)
        {
            if (_have == 0 && data[0] != TsPacket.SyncByte)
            {
                // Out of sync: move to the next sync byte.
                BadPackets++;
                var next = data[1..].IndexOf(TsPacket.SyncByte);
                data = next < 0 ? [] : data[(next + 1)..];
                continue;
            }

            if (_have > 0 || data.Length < TsPacket.Length)
            {
                // A packet split across pieces: gather it in the scratch first.
                var take = Math.Min(TsPacket.Length - _have, data.Length);
                data[..take].CopyTo(_partial.AsSpan(_have));
                _have += take;
                data = data[take..];
                if (_have < TsPacket.Length)
                {
                    break;
                }

                _have = 0;
                Found = Inspect(_partial);
                continue;
            }

            Found = Inspect(data[..TsPacket.Length]);
            data = data[TsPacket.Length..];
        }

        return Found;
    }

    /// <summary>True when <paramref name="packet"/> is the first packet of a video keyframe's PES.</summary>
    public static bool IsKeyframeStart(ReadOnlySpan<byte> packet)
    {
        if (!TsPacketReader.TryReadPacket(packet, out var header) || !header.PayloadUnitStart || !header.RandomAccess)
        {
            return false;
        }

        var payload = TsPacketReader.GetPayload(packet, header);
        return payload.Length >= 4 && payload[0] == 0x00 && payload[1] == 0x00 && payload[2] == 0x01
            && payload[3] is >= FirstVideoStreamId and <= LastVideoStreamId;
    }

    private bool Inspect(ReadOnlySpan<byte> packet)
    {
        if (!TsPacketReader.TryReadPacket(packet, out _))
        {
            BadPackets++;
            return false;
        }

        return IsKeyframeStart(packet);
    }
}
