namespace LiveRelay.Integration.Tests.Infrastructure;

/// <summary>A temporary directory for one test's output files, removed afterwards.</summary>
public sealed class TempFiles : IDisposable
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("liverelay-test-").FullName;

    public string File(string name) => Path.Combine(Directory, name);

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
