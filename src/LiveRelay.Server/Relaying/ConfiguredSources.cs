using LiveRelay.Server.Configuration;
using LiveRelay.Server.Pulling;

namespace LiveRelay.Server.Relaying;

/// <summary>Starts the pulls and relays named in configuration (<c>LiveRelay:Pulls</c>, <c>LiveRelay:Relays</c>; checked at start-up).</summary>
internal sealed class ConfiguredSources(LiveRelayOptions options, PullManager pulls, RelayManager relays) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var pull in options.Pulls)
        {
            pulls.Add(pull, out _);
        }

        foreach (var relay in options.Relays)
        {
            relays.Add(relay.Source, relay.Url, out _);
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await relays.DisposeAsync().ConfigureAwait(false);
        await pulls.DisposeAsync().ConfigureAwait(false);
    }
}
