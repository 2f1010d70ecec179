using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using LiveRelay.LoadTest.Cli;
using LiveRelay.Protocols.WebRtc.Dtls;
using LiveRelay.Protocols.WebRtc.Stun;

namespace LiveRelay.LoadTest.Players;

/// <summary>
/// A WebRTC viewer over WHEP, built on the repository's own stack as a browser would act against the
/// ICE-lite server: POST a recvonly offer (<see cref="WhepOffer"/>), read the answer
/// (<see cref="WhepAnswer"/>), connect one UDP socket to its candidate, send STUN Binding checks as the
/// controlling agent (nominating at once; every 100 ms until one is answered, then every 5 s for
/// consent), run the DTLS client handshake on that socket, and unprotect SRTP in place in one
/// per-player buffer. Video frames end at the RTP marker bit; the end of the first IDR access unit
/// marks the time to first frame. DELETE ends the session when the player stops.
/// </summary>
internal sealed partial class WhepPlayer : Player
{
    /// <summary>One datagram: the server sends at most 1200-byte SRTP packets.</summary>
    private const int DatagramBufferSize = 2048;

    /// <summary>Kernel receive buffer: room for a joining viewer's burst of the cached GOP (the server sends it at once).</summary>
    private const int SocketReceiveBufferSize = 1 << 20;

    /// <summary>
    /// PRIORITY of our checks: what a peer-reflexive candidate of ours would get (RFC 8445 §5.1.2.1,
    /// type preference 110, local preference 65535, component 1).
    /// </summary>
    private const uint CheckPriority = (110u << 24) | (65535u << 8) | 255;

    private static readonly TimeSpan CheckRetransmitInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>The server closes a peer whose checks stop for 15 s (RFC 7675 consent); three checks fit in that.</summary>
    private static readonly TimeSpan ConsentInterval = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan DtlsTimeLimit = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan DeleteTimeLimit = TimeSpan.FromSeconds(3);

    private readonly HttpClient _http;
    private readonly Lazy<DtlsCertificate> _certificate;
    private readonly string _iceUfrag = IceCredentials.NewUfrag();
    private readonly string _icePassword = IceCredentials.NewPassword();
    private readonly ulong _tieBreaker = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
    private readonly byte[] _check = new byte[256];
    private readonly byte[] _transactionId = new byte[12];
    private readonly TaskCompletionSource _firstFrame = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _iceConnected;

    public WhepPlayer(int id, Uri uri, HttpClient http, Lazy<DtlsCertificate> certificate)
        : base(id, uri)
    {
        _http = http;
        _certificate = certificate;
    }

    public override PlayerProtocol Protocol => PlayerProtocol.Whep;

    protected override async Task PlayAsync(CancellationToken cancellationToken)
    {
        var certificate = _certificate.Value;
        Uri? session = null;
        using var deadline = FirstFrameDeadline(cancellationToken);
        try
        {
            string answerText;
            (session, answerText) = await OfferAsync(certificate, deadline.Token).ConfigureAwait(false);
            if (!WhepAnswer.TryParse(answerText, out var answer, out var answerError))
            {
                throw new IOException($"unusable WHEP answer: {answerError}");
            }

            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.ReceiveBufferSize = SocketReceiveBufferSize;
            socket.Connect(answer.Candidate);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var receiving = ReceiveLoopAsync(socket, answer, certificate, stop.Token);
            var checking = CheckLoopAsync(socket, answer, stop.Token);
            try
            {
                await Task.WhenAny(_firstFrame.Task, _ended.Task).WaitAsync(deadline.Token).ConfigureAwait(false);
                await _ended.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await stop.CancelAsync().ConfigureAwait(false);
                await Task.WhenAll(receiving, checking).ConfigureAwait(false);
                DisposeSrtp();
            }
        }
        finally
        {
            if (session is not null)
            {
                await DeleteAsync(session).ConfigureAwait(false);
            }
        }
    }

    /// <summary>POSTs the offer: 201 with the answer and the session's Location, or an error with the server's reason.</summary>
    private async Task<(Uri Session, string Answer)> OfferAsync(DtlsCertificate certificate, CancellationToken cancellationToken)
    {
        using var content = new StringContent(WhepOffer.Build(_iceUfrag, _icePassword, certificate.Fingerprint), Encoding.UTF8, "application/sdp");
        using var response = await _http.PostAsync(Uri, content, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new IOException($"WHEP offer refused: HTTP {(int)response.StatusCode} {(body.Length > 200 ? body[..200] : body)}");
        }

        return response.Headers.Location is { } location
            ? (new Uri(Uri, location), body)
            : throw new IOException("WHEP answer without a Location header");
    }

    /// <summary>Ends the session on the server; a failure here is not the player's error.</summary>
    private async Task DeleteAsync(Uri session)
    {
        using var limit = new CancellationTokenSource(DeleteTimeLimit);
        try
        {
            using var response = await _http.DeleteAsync(session, limit.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            // The server is being stopped, or already ended the session.
        }
    }

    /// <summary>
    /// STUN Binding checks to the candidate: every 100 ms until one is answered, then every 5 s so the
    /// server keeps the session (consent freshness). Ends when the player stops.
    /// </summary>
    private async Task CheckLoopAsync(Socket socket, WhepAnswer answer, CancellationToken cancellationToken)
    {
        // USERNAME is "serverUfrag:ourUfrag"; MESSAGE-INTEGRITY is keyed with the server's password.
        var username = $"{answer.IceUfrag}:{_iceUfrag}";
        var key = Encoding.UTF8.GetBytes(answer.IcePassword);
        try
        {
            while (true)
            {
                RandomNumberGenerator.Fill(_transactionId);
                var length = StunWriter.WriteBindingRequest(
                    _check, _transactionId, username, CheckPriority, _tieBreaker, controlling: true, useCandidate: true, key);
                socket.Send(_check.AsSpan(0, length), SocketFlags.None);
                var interval = Volatile.Read(ref _iceConnected) ? ConsentInterval : CheckRetransmitInterval;
                await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped.
        }
        catch (ObjectDisposedException)
        {
            // Stopped while sending.
        }
        catch (SocketException ex)
        {
            // ConnectionRefused: the server's UDP port is gone (ICMP port unreachable).
            _ended.TrySetException(ex);
        }
    }
}
