using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace KeyPairAuth.Testing;

/// <summary>
/// A private redis-server on 127.0.0.1 (free port, no persistence, temp dir) owned by one test, which can stop it (an
/// outage) and start it again on the same port (recovery). Killed and its folder removed on dispose.
/// </summary>
internal sealed class RedisServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
    private readonly string _serverPath;
    private readonly string _directory;
    private Process? _process;

    private RedisServerProcess(string serverPath, int port)
    {
        _serverPath = serverPath;
        Port = port;
        _directory = Directory.CreateTempSubdirectory("keypairauth-redis-test.").FullName;
    }

    public int Port { get; }

    /// <summary>Gets the StackExchange.Redis configuration string of this server.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts a new server with the binary from <c>KEYPAIRAUTH_TEST_REDIS_SERVER</c> (the test must be a <see cref="RedisServerFactAttribute"/>).</summary>
    public static async Task<RedisServerProcess> StartNewAsync()
    {
        string path = RedisTestEnvironment.ServerPath ?? throw new InvalidOperationException($"{RedisTestEnvironment.ServerVariable} is not set.");
        var server = new RedisServerProcess(path, FreePort());
        await server.StartAsync();
        return server;
    }

    /// <summary>Gets a loopback port that nothing listens on (for "Redis is down from the start" tests).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts the server (again) on <see cref="Port"/> and returns once it accepts connections.</summary>
    public async Task StartAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("The server is already running.");
        }

        var info = new ProcessStartInfo(_serverPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in (string[])["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                     "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", _directory, "--loglevel", "notice"])
        {
            info.ArgumentList.Add(argument);
        }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Text.StringBuilder();
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new InvalidOperationException($"redis-server on port {Port} exited before it was ready:\n{output}"));
                return;
            }

            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (e.Data.Contains("Ready to accept connections", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (output)
                {
                    output.AppendLine(e.Data);
                }
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        try
        {
            await ready.Task.WaitAsync(StartTimeout);
        }
        catch (TimeoutException)
        {
            await StopAsync();
            throw new InvalidOperationException($"redis-server on port {Port} was not ready within {StartTimeout.TotalSeconds:F0} s:\n{output}");
        }
    }

    /// <summary>Kills the server (as a crash would) and waits until it has exited.</summary>
    public async Task StopAsync()
    {
        if (_process is { } process)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync();
            process.Dispose();
            _process = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
