using System.Net.Sockets;
using LiveRelay.Formats.Rtp;
using LiveRelay.Protocols.WebRtc.Dtls;
using LiveRelay.Protocols.WebRtc.Srtp;
using LiveRelay.Protocols.WebRtc.Stun;

namespace LiveRelay.LoadTest.Players;

/// <summary>The receive side of a WHEP viewer: one loop demultiplexes STUN, DTLS and SRTP on the socket.</summary>
internal sealed partial class WhepPlayer
{
    private readonly byte[] _buffer = new byte[DatagramBufferSize];
    private DtlsClientHandshake? _handshake;
    private Task<DtlsSrtpResult>? _dtls;
    private SrtpContext? _srtp;
    private int _lastVideoSequence = -1;
    private bool _inFirstKeyframe;
    private long _packets;
    private long _videoFrames;
    private long _videoLost;
    private long _rejected;

    /// <summary>What this viewer received since it connected (single writer: the receive loop).</summary>
    public WhepReceiveTotals Totals => new(
        Volatile.Read(ref _packets), Volatile.Read(ref _videoFrames), Volatile.Read(ref _videoLost), Volatile.Read(ref _rejected));

    /// <summary>What the loop must do after a datagram that it cannot finish synchronously.</summary>
    private enum Next
    {
        Done,

        /// <summary>ICE answered the first check: start the DTLS client.</summary>
        StartDtls,

        /// <summary>SRTP arrived while the handshake is finishing: wait for the keys, then read it again.</summary>
        AwaitKeys,
    }

    /// <summary>Receives every datagram into the one buffer until stopped; a failure ends the player through <see cref="_ended"/>.</summary>
    private async Task ReceiveLoopAsync(Socket socket, WhepAnswer answer, DtlsCertificate certificate, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var length = await socket.ReceiveAsync(_buffer.AsMemory(), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                switch (OnDatagram(length, answer))
                {
                    case Next.StartDtls:
                        _handshake = new DtlsClientHandshake(certificate, answer.Fingerprint, (record, offset, count) => SendRecord(socket, record, offset, count), DtlsTimeLimit);
                        _dtls = _handshake.RunAsync();
                        _ = FailOnHandshakeErrorAsync(_dtls);
                        break;
                    case Next.AwaitKeys:
                    {
                        var result = await _dtls!.WaitAsync(cancellationToken).ConfigureAwait(false);
                        var (local, remote) = DtlsSrtpKeys.FromKeyingMaterial(result.Profile, result.KeyingMaterial, isServer: false);
                        local.Dispose(); // this viewer sends no RTCP
                        _srtp = remote;
                        OnDatagram(length, answer);
                        break;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped.
        }
        catch (Exception ex)
        {
            // A socket error (the server's port closed), a failed handshake, unusable keys.
            _ended.TrySetException(ex);
        }
    }

    /// <summary>
    /// One datagram, by its first byte (RFC 7983 §7): 0–3 STUN, 20–63 DTLS, 128–191 RTP/RTCP (RTCP when
    /// the second byte is 192–223, with rtcp-mux). SRTP is unprotected in place; only the first keyframe
    /// is looked into, after that only headers are read.
    /// </summary>
    private Next OnDatagram(int length, WhepAnswer answer)
    {
        var datagram = _buffer.AsSpan(0, length);
        if (length < 2)
        {
            return Next.Done;
        }

        var first = datagram[0];
        if (first <= 3)
        {
            // Our checks' answers: the first success response means the pair works.
            if (!Volatile.Read(ref _iceConnected)
                && StunMessage.IsStun(datagram)
                && StunMessage.TryParse(datagram, out var message, out _)
                && message.Class == StunClass.SuccessResponse)
            {
                Volatile.Write(ref _iceConnected, true);
                return _handshake is null ? Next.StartDtls : Next.Done;
            }

            return Next.Done;
        }

        if (first is >= 20 and <= 63)
        {
            if (_srtp is null)
            {
                _handshake?.Receive(datagram);
            }

            return Next.Done;
        }

        if (first is < 128 or > 191)
        {
            return Next.Done;
        }

        if (_srtp is null)
        {
            // The server starts sending as soon as its side of DTLS is done; ours finishes a moment later.
            return _dtls is null ? Next.Done : Next.AwaitKeys;
        }

        if (datagram[1] is >= 192 and <= 223)
        {
            // Sender reports: counted as received bytes, not read.
            if (_srtp.TryUnprotectRtcp(datagram, out _, out _))
            {
                AddBytes(length);
            }
            else
            {
                Volatile.Write(ref _rejected, _rejected + 1);
            }

            return Next.Done;
        }

        if (!_srtp.TryUnprotectRtp(datagram, out var plain, out _)
            || !RtpPacket.TryRead(datagram[..plain], out var header, out var payload, out _))
        {
            Volatile.Write(ref _rejected, _rejected + 1);
            return Next.Done;
        }

        AddBytes(length);
        Volatile.Write(ref _packets, _packets + 1);
        if (header.PayloadType == answer.VideoPayloadType)
        {
            OnVideo(header, payload);
        }

        return Next.Done;
    }

    private void OnVideo(in RtpHeader header, ReadOnlySpan<byte> payload)
    {
        if (_lastVideoSequence >= 0)
        {
            var gap = (ushort)(header.SequenceNumber - _lastVideoSequence - 1);
            if (gap >= 0x8000)
            {
                return; // older than the last one: reordered or duplicated; nothing is missing
            }

            if (gap > 0)
            {
                Volatile.Write(ref _videoLost, _videoLost + gap);
            }
        }

        _lastVideoSequence = header.SequenceNumber;
        if (!HasFirstFrame && !_inFirstKeyframe && RtpH264Keyframe.StartsIdr(payload))
        {
            _inFirstKeyframe = true;
        }

        if (header.Marker)
        {
            Volatile.Write(ref _videoFrames, _videoFrames + 1);
            if (_inFirstKeyframe && !HasFirstFrame)
            {
                // The whole first IDR access unit is in: the time to first frame.
                MarkFirstFrame();
                _firstFrame.TrySetResult();
            }
        }
    }

    /// <summary>A handshake that fails while no SRTP comes ends the player with its reason.</summary>
    private async Task FailOnHandshakeErrorAsync(Task<DtlsSrtpResult> handshake)
    {
        try
        {
            await handshake.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _ended.TrySetException(ex);
        }
    }

    /// <summary>Called on the handshake's thread; a stopped player's socket is gone, which the handshake's timeout ends.</summary>
    private static void SendRecord(Socket socket, byte[] record, int offset, int count)
    {
        try
        {
            socket.Send(record.AsSpan(offset, count), SocketFlags.None);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Dropped like any lost datagram: DTLS retransmits, or times out.
        }
    }

    private void DisposeSrtp()
    {
        _srtp?.Dispose();
        _srtp = null;
    }
}
