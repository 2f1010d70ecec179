using LiveRelay.LoadTest;

// The tool reads /proc and drives Linux packages (ffmpeg, nginx): Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

return await LoadTestApp.RunAsync(args).ConfigureAwait(false);
