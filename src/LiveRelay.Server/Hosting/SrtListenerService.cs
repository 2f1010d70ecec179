using LiveRelay.Protocols.Srt;

namespace LiveRelay.Server.Hosting;

/// <summary>Starts the SRT listener with the host (when <c>LiveRelay:Srt:Port</c> is not 0) and stops it with it.</summary>
internal sealed class SrtListenerService(SrtOptions options, IServiceProvider services) : IHostedService, IDisposable
{
    private SrtServer? _server;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Port != 0)
        {
            _server = services.GetRequiredService<SrtServer>();
            try
            {
                _server.Start();
            }
            catch (SrtException ex)
            {
                throw new IOException($"SRT cannot listen on UDP {(options.Address.Length == 0 ? "0.0.0.0" : options.Address)}:{options.Port} (LiveRelay:Srt:Port): {ex.Message}", ex);
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _server?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _server?.Dispose();
}
