namespace LiveRelay.Newsroom.Tests.TestSupport;

/// <summary>A temporary directory for one test (or fixture), removed afterwards.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("liverelay-newsroom-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean; never fail a test over it.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
