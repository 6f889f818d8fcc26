namespace KeyPairAuth.SampleServer.Tests.Infrastructure;

/// <summary>Where tests leave files for people to look at: <c>artifacts/</c> at the repository root.</summary>
public static class Artifacts
{
    public static string Directory(string name)
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "KeyPairAuth.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        string path = Path.Combine(dir ?? Path.GetTempPath(), "artifacts", name);
        System.IO.Directory.CreateDirectory(path);
        return path;
    }
}
