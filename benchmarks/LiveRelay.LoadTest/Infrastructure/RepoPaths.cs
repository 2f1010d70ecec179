namespace LiveRelay.LoadTest.Infrastructure;

/// <summary>Finds the repository root (the directory holding LiveRelay.sln) and the default server build.</summary>
internal static class RepoPaths
{
    public const string SolutionFile = "LiveRelay.sln";

    /// <summary>The default server under test, relative to the repository root.</summary>
    public static readonly string DefaultServerDll = Path.Combine("src", "LiveRelay.Server", "bin", "Release", "net10.0", "LiveRelay.Server.dll");

    /// <summary>The repository root, searched upward from the working directory and then from the tool's own directory.</summary>
    public static string? FindRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, SolutionFile)))
                {
                    return dir.FullName;
                }
            }
        }

        return null;
    }
}
