namespace KeyPairAuth.SampleServer.Tests.Infrastructure;

/// <summary>Where tests leave files for people to look at: <c>artifacts/</c> at the repository root.</summary>
public static class Artifacts
{
    /// <summary>Gets the repository root (the folder holding KeyPairAuth.sln above the test output).</summary>
    public static string RepositoryRoot
    {
        get
        {
            string? dir = AppContext.BaseDirectory;
            while (dir is not null && !File.Exists(Path.Combine(dir, "KeyPairAuth.sln")))
            {
                dir = Path.GetDirectoryName(dir);
            }

            return dir ?? throw new InvalidOperationException($"No KeyPairAuth.sln above {AppContext.BaseDirectory}.");
        }
    }

    public static string Directory(string name)
    {
        string path = Path.Combine(RepositoryRoot, "artifacts", name);
        System.IO.Directory.CreateDirectory(path);
        return path;
    }
}
