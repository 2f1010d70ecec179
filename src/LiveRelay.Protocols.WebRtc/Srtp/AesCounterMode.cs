using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;

namespace LiveRelay.Protocols.WebRtc.Srtp;

/// <summary>
/// AES in counter mode (RFC 3711 §4.1.1): keystream block j is AES(key, IV + j mod 2^128), XORed over the data.
/// .NET has no CTR mode, so this runs ECB over a scratch buffer of counter blocks, a batch per call. It keeps one ECB
/// <see cref="ICryptoTransform"/> rather than calling <c>Aes.EncryptEcb</c>: the one-shot creates a native cipher
/// context per call (66 bytes of garbage and about 6x slower per kilobyte on Linux), the transform allocates nothing.
/// </summary>
internal sealed class AesCounterMode : IDisposable
{
    public const int BlockLength = 16;

    /// <summary>96 blocks, 1,536 bytes: an MTU-sized payload is one ECB call.</summary>
    private const int BatchBlocks = 96;

    private readonly Aes _aes;
    private readonly ICryptoTransform _ecb;
    private readonly byte[] _counters = new byte[BatchBlocks * BlockLength];
    private readonly byte[] _keystream = new byte[BatchBlocks * BlockLength];

    public AesCounterMode(ReadOnlySpan<byte> key)
    {
        _aes = Aes.Create();
        _aes.Mode = CipherMode.ECB;
        _aes.Padding = PaddingMode.None;
        var copy = key.ToArray();
        _aes.Key = copy;
        CryptographicOperations.ZeroMemory(copy);
        _ecb = _aes.CreateEncryptor();
    }

    /// <summary>XORs the keystream that starts at counter block <paramref name="iv"/> into <paramref name="data"/>.</summary>
    public void Apply(UInt128 iv, Span<byte> data)
    {
        var counter = iv;
        while (!data.IsEmpty)
        {
            var blocks = Math.Min(BatchBlocks, (data.Length + BlockLength - 1) / BlockLength);
            var counters = _counters.AsSpan(0, blocks * BlockLength);
            for (var offset = 0; offset < counters.Length; offset += BlockLength)
            {
                BinaryPrimitives.WriteUInt128BigEndian(counters[offset..], counter++);
            }

            _ecb.TransformBlock(_counters, 0, counters.Length, _keystream, 0);
            var length = Math.Min(data.Length, counters.Length);
            Xor(data[..length], _keystream);
            data = data[length..];
        }
    }

    /// <summary><paramref name="data"/> ^= <paramref name="keystream"/>, a vector at a time.</summary>
    internal static void Xor(Span<byte> data, ReadOnlySpan<byte> keystream)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var width = Vector<byte>.Count;
            for (; i <= data.Length - width; i += width)
            {
                (new Vector<byte>(data[i..]) ^ new Vector<byte>(keystream[i..])).CopyTo(data[i..]);
            }
        }

        for (; i < data.Length; i++)
        {
            data[i] ^= keystream[i];
        }
    }

    public void Dispose()
    {
        _ecb.Dispose();
        _aes.Dispose();
        CryptographicOperations.ZeroMemory(_keystream);
    }
}
