using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace KeyPairAuth.Benchmarks.Redis;

/// <summary>
/// The Redis the measurement talks to: <c>KEYPAIRAUTH_TEST_REDIS</c> when set (e.g. by <c>.ci/services/redis.sh</c>),
/// else a private <c>redis-server</c> from the PATH on a free 127.0.0.1 port (no persistence, temp dir), killed at the
/// end. Also reads the server's own CPU time (<c>INFO cpu</c>) so the report can show Redis's share per request.
/// </summary>
internal sealed class RedisBenchServer : IAsyncDisposable
{
    private readonly Process? _process;
    private readonly string? _directory;

    private RedisBenchServer(string configuration, ConnectionMultiplexer admin, Process? process, string? directory)
    {
        Configuration = configuration;
        Admin = admin;
        _process = process;
        _directory = directory;
    }

    public string Configuration { get; }

    public ConnectionMultiplexer Admin { get; }

    public string Description { get; private set; } = string.Empty;

    public static async Task<RedisBenchServer> StartAsync()
    {
        string? configured = Environment.GetEnvironmentVariable("KEYPAIRAUTH_TEST_REDIS");
        Process? process = null;
        string? directory = null;
        if (string.IsNullOrWhiteSpace(configured))
        {
            int port = FreePort();
            directory = Directory.CreateTempSubdirectory("keypairauth-redis-bench.").FullName;
            var info = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string a in (string[])["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory])
            {
                info.ArgumentList.Add(a);
            }

            process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start (install it: apt-get install redis-server).");
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            configured = $"127.0.0.1:{port}";
        }

        ConfigurationOptions options = ConfigurationOptions.Parse(configured);
        options.AbortOnConnectFail = false;
        options.AllowAdmin = true;
        ConnectionMultiplexer admin = await ConnectionMultiplexer.ConnectAsync(options);
        for (int i = 0; i < 100 && !admin.IsConnected; i++)
        {
            await Task.Delay(100);
        }

        Infrastructure.Fixtures.Require(admin.IsConnected, $"Redis at {configured} answers");
        var server = new RedisBenchServer(configured, admin, process, directory);
        string version = (string?)(await admin.GetDatabase().ExecuteAsync("INFO", "server"))?.ToString()
            .Split('\n').FirstOrDefault(l => l.StartsWith("redis_version:", StringComparison.Ordinal))?.Trim() ?? "redis_version:?";
        server.Description = $"{version} on {configured} ({(process is null ? "KEYPAIRAUTH_TEST_REDIS" : "private redis-server started by the runner")})";
        return server;
    }

    /// <summary>Gets Redis's own CPU time so far (user + system, all its threads), from <c>INFO cpu</c>.</summary>
    public async Task<TimeSpan> ServerCpuAsync()
    {
        string info = (await Admin.GetDatabase().ExecuteAsync("INFO", "cpu")).ToString() ?? string.Empty;
        double seconds = 0;
        foreach (string line in info.Split('\n'))
        {
            string[] parts = line.Trim().Split(':');
            if (parts.Length == 2 && parts[0] is "used_cpu_sys" or "used_cpu_user")
            {
                seconds += double.Parse(parts[1], CultureInfo.InvariantCulture);
            }
        }

        return TimeSpan.FromSeconds(seconds);
    }

    public async ValueTask DisposeAsync()
    {
        await Admin.DisposeAsync();
        if (_process is { } process)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync();
            process.Dispose();
        }

        if (_directory is not null)
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
