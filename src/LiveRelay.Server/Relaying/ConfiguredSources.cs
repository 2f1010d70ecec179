using LiveRelay.Server.Configuration;
using LiveRelay.Server.Pulling;

namespace LiveRelay.Server.Relaying;

/// <summary>
/// Starts the pulls and relays named in configuration (<c>LiveRelay:Pulls</c>, <c>LiveRelay:Relays</c>;
/// checked at start-up) and those added through the API before the last stop (kept in the store).
/// </summary>
internal sealed class ConfiguredSources(LiveRelayOptions options, PullManager pulls, RelayManager relays) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await pulls.StartAsync(options.Pulls, cancellationToken).ConfigureAwait(false);
        await relays.StartAsync(options.Relays, cancellationToken).ConfigureAwait(false);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await relays.DisposeAsync().ConfigureAwait(false);
        await pulls.DisposeAsync().ConfigureAwait(false);
    }
}
