using LiveRelay.Server.Hosting;

return await LiveRelayServer.RunAsync(args).ConfigureAwait(false);
