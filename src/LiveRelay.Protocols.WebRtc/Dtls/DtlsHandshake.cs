using LiveRelay.Protocols.WebRtc.Srtp;
using Org.BouncyCastle.Crypto.Tls;
using Org.BouncyCastle.Security;

namespace LiveRelay.Protocols.WebRtc.Dtls;

/// <summary>The outcome of a DTLS-SRTP handshake: the agreed profile and the keying material.</summary>
public sealed record DtlsSrtpResult(SrtpProfile Profile, byte[] KeyingMaterial);

/// <summary>
/// Runs the server side of one DTLS handshake (BouncyCastle's blocking <c>DtlsServerProtocol</c>)
/// on a thread of its own, fed by the UDP mux. Ends with the SRTP keys, or an exception that says
/// why (timeout, certificate mismatch, no common profile, a broken record).
/// </summary>
public sealed class DtlsHandshake
{
    private readonly DatagramQueueTransport _transport;
    private readonly DtlsSrtpServer _server;

    /// <param name="certificate">Our certificate.</param>
    /// <param name="peerFingerprint">The SHA-256 fingerprint the peer's SDP announced.</param>
    /// <param name="send">Sends a record to the peer.</param>
    /// <param name="timeout">How long the whole handshake may take.</param>
    public DtlsHandshake(DtlsCertificate certificate, byte[] peerFingerprint, Action<byte[], int, int> send, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        _transport = new DatagramQueueTransport(send, DateTime.UtcNow + timeout);
        _server = new DtlsSrtpServer(certificate, peerFingerprint);
    }

    /// <summary>Hands the handshake a DTLS record that arrived from the peer.</summary>
    public void Receive(ReadOnlySpan<byte> record) => _transport.Enqueue(record);

    /// <summary>Runs the handshake to the end on a dedicated thread.</summary>
    public Task<DtlsSrtpResult> RunAsync() => Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>Ends a handshake in progress (the peer left): its next read fails.</summary>
    public void Abort() => _transport.Close();

    private DtlsSrtpResult Run()
    {
        try
        {
            var protocol = new DtlsServerProtocol(new SecureRandom());
            protocol.Accept(_server, _transport);
            return new DtlsSrtpResult(_server.Profile, _server.KeyingMaterial ?? throw new InvalidOperationException("no keying material"));
        }
        catch (TlsFatalAlert alert) when (_server.Failure is { } failure)
        {
            throw new DtlsHandshakeException(failure, alert);
        }
        catch (Exception ex) when (ex is TlsException or IOException or TimeoutException or InvalidOperationException)
        {
            // BouncyCastle wraps the transport's timeout in its own alert: the deadline tells.
            throw new DtlsHandshakeException(_transport.PastDeadline ? "the DTLS handshake did not complete in time" : $"the DTLS handshake failed: {ex.Message}", ex);
        }
        finally
        {
            _transport.Close();
        }
    }
}

/// <summary>A DTLS handshake that did not complete, with the reason in words.</summary>
public sealed class DtlsHandshakeException(string message, Exception inner) : Exception(message, inner);
