namespace LiveRelay.Formats.Ts;

/// <summary>
/// CRC-32/MPEG-2 of PSI sections (ISO/IEC 13818-1 annex A): polynomial 0x04C11DB7, initial value
/// 0xFFFFFFFF, no reflection, no final XOR. Over a whole section including its CRC_32 field the result is 0.
/// </summary>
internal static class Crc32Mpeg2
{
    private static readonly uint[] s_table = CreateTable();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc = (crc << 8) ^ s_table[(int)((crc >> 24) ^ b)];
        }

        return crc;
    }

    private static uint[] CreateTable()
    {
        var table = new uint[256];
        for (var i = 0u; i < 256; i++)
        {
            var crc = i << 24;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x80000000) != 0 ? (crc << 1) ^ 0x04C11DB7 : crc << 1;
            }

            table[i] = crc;
        }

        return table;
    }
}
