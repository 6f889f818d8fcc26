using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using KeyPairAuth.Issuance;
using KeyPairAuth.Keys;
using KeyPairAuth.Stores;

namespace KeyPairAuth.SampleServer.Admin;

/// <summary>
/// The admin CLI, in the server's own program and on its store: <c>keys create|register|list|revoke</c>.
/// Exit codes: 0 done, 1 refused or failed (unknown key, bad key file, limit reached, store unavailable), 2 usage error.
/// Every error is one line on standard error.
/// </summary>
public static partial class AdminCli
{
    public const string Usage = """
        usage: keys <command> [options]          (dotnet run --project samples/KeyPairAuth.SampleServer -- keys ...)

          keys create   --owner O --name N [--scopes a,b] [--expires-in 30d] [--format text|json]
                        generate a key pair; prints the key id, the secret and the private-key PEM ONCE
          keys register --owner O --name N --public-key-file F [--scopes a,b] [--expires-in 30d] [--format text|json]
                        register a public key (SPKI PEM, JWK, OpenSSH line or base64url) generated elsewhere
          keys list     --owner O [--format text|json]
          keys revoke   KEYID

        --expires-in takes a number and a unit: 90m, 12h, 30d or 8w.
        exit codes: 0 done, 1 refused or failed, 2 usage error.
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Runs a <c>keys</c> command against the sample's store (<see cref="SampleStorage"/>).</summary>
    /// <param name="args">The arguments after <c>keys</c>.</param>
    /// <param name="output">Standard output.</param>
    /// <param name="error">Standard error.</param>
    /// <param name="services">The services to use (tests, or a server sharing its store); built from configuration when null.</param>
    /// <param name="configuration">The configuration (tests); appsettings.json and environment variables when null.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, IServiceProvider? services = null, IConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (args is [] or ["help" or "--help" or "-h"])
        {
            (args.Length == 0 ? error : output).WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        ServiceProvider? owned = null;
        try
        {
            Command command = Command.Parse(args);
            if (services is null)
            {
                configuration ??= new ConfigurationBuilder()
                    .SetBasePath(Directory.GetCurrentDirectory())
                    .AddJsonFile("appsettings.json", optional: true)
                    .AddEnvironmentVariables()
                    .Build();
                var collection = new ServiceCollection();
                collection.AddSingleton(configuration);
                collection.AddSampleStorage(configuration);
                owned = collection.BuildServiceProvider();
                services = owned;
                await SampleStorage.InitializeAsync(services);
            }

            await using AsyncServiceScope scope = services.CreateAsyncScope();
            IKeyPairIssuer issuer = scope.ServiceProvider.GetRequiredService<IKeyPairIssuer>();
            TimeProvider time = scope.ServiceProvider.GetService<TimeProvider>() ?? TimeProvider.System;
            return command.Name switch
            {
                "create" => await CreateAsync(command, issuer, time, output),
                "register" => await RegisterAsync(command, issuer, time, output),
                "list" => await ListAsync(command, issuer, time, output),
                _ => await RevokeAsync(command, issuer, output),
            };
        }
        catch (UsageException exception)
        {
            error.WriteLine($"keys: {exception.Message} (keys --help for usage)");
            return 2;
        }
        catch (KeyIssuanceException exception)
        {
            error.WriteLine($"keys: error: {OneLine(exception.Message)}");
            return 1;
        }
        catch (CommandException exception)
        {
            error.WriteLine($"keys: error: {OneLine(exception.Message)}");
            return 1;
        }
#pragma warning disable CA1031 // The CLI's contract: every failure, including an unreachable database, is one line and exit 1.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            error.WriteLine($"keys: error: the key store failed ({exception.GetType().Name}: {OneLine(exception.Message)})");
            return 1;
        }
        finally
        {
            if (owned is not null)
            {
                await owned.DisposeAsync();
            }
        }
    }

    private static async Task<int> CreateAsync(Command command, IKeyPairIssuer issuer, TimeProvider time, TextWriter output)
    {
        command.Allow("owner", "name", "scopes", "expires-in", "format");
        bool json = command.JsonFormat(); // every usage error before the write: nothing may be issued and then refused
        using IssuedKeyPair issued = await issuer.IssueAsync(new KeyIssueRequest
        {
            Owner = command.Required("owner"),
            Name = command.Required("name"),
            Scopes = command.Scopes(),
            ExpiresAt = command.ExpiresAt(time),
        });
        PublicKeyRecord record = issued.Record;
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(new CreatedKeyOutput(
                record.KeyId, record.Owner, record.Name, record.Scopes, record.CreatedAt, record.ExpiresAt, record.PublicKey.Fingerprint,
                issued.Secret, issued.PrivateKeyPem, record.PublicKey.ExportSpkiPem()), Json));
            return 0;
        }

        WriteRecord(output, record, time);
        output.WriteLine($"secret:       {issued.Secret}");
        output.WriteLine();
        output.WriteLine("This is the only time the private key is shown: the store keeps only the public key. Save it now.");
        output.WriteLine();
        output.WriteLine("private key (PKCS#8 PEM):");
        output.Write(issued.PrivateKeyPem.TrimEnd('\n') + "\n");
        output.WriteLine("public key (SPKI PEM):");
        output.Write(record.PublicKey.ExportSpkiPem().TrimEnd('\n') + "\n");
        return 0;
    }

    private static async Task<int> RegisterAsync(Command command, IKeyPairIssuer issuer, TimeProvider time, TextWriter output)
    {
        command.Allow("owner", "name", "public-key-file", "scopes", "expires-in", "format");
        bool json = command.JsonFormat();
        string owner = command.Required("owner");
        string name = command.Required("name");
        string file = command.Required("public-key-file");
        string text;
        try
        {
            // Counted as read, not taken from the file's length: a pipe or a device such as /dev/zero reports none.
            const int MaxPublicKeyFileSize = 64 * 1024;
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, useAsync: false);
            byte[] buffer = new byte[MaxPublicKeyFileSize + 1];
            int total = 0;
            int read;
            while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total))) > 0)
            {
                total += read;
            }

            if (total > MaxPublicKeyFileSize)
            {
                throw new CommandException($"public key file '{file}' is more than {MaxPublicKeyFileSize} bytes; a public key is far smaller.");
            }

            text = new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetString(buffer, 0, total).TrimStart('\uFEFF');
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new CommandException($"cannot read public key file '{file}': {exception.Message}");
        }

        Ed25519PublicKey publicKey;
        try
        {
            publicKey = Ed25519PublicKey.Parse(text);
        }
        catch (KeyFormatException exception)
        {
            throw new CommandException($"public key file '{file}': {exception.Message}");
        }

        PublicKeyRecord record = await issuer.RegisterAsync(new KeyRegistrationRequest
        {
            Owner = owner,
            Name = name,
            PublicKey = publicKey,
            Scopes = command.Scopes(),
            ExpiresAt = command.ExpiresAt(time),
        });
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(Describe(record, time), Json));
        }
        else
        {
            WriteRecord(output, record, time);
        }

        return 0;
    }

    private static async Task<int> ListAsync(Command command, IKeyPairIssuer issuer, TimeProvider time, TextWriter output)
    {
        command.Allow("owner", "format");
        IReadOnlyList<PublicKeyRecord> records = await issuer.ListByOwnerAsync(command.Required("owner"));
        if (command.JsonFormat())
        {
            output.WriteLine(JsonSerializer.Serialize(records.Select(r => Describe(r, time)), Json));
            return 0;
        }

        if (records.Count == 0)
        {
            output.WriteLine("no keys");
            return 0;
        }

        output.WriteLine($"{"KEY ID",-22}{"STATUS",-9}{"NAME",-24}{"SCOPES",-28}{"CREATED",-22}{"EXPIRES",-22}LAST USED");
        foreach (PublicKeyRecord r in records)
        {
            output.WriteLine($"{r.KeyId,-22}{Status(r, time),-9}{Truncate(r.Name, 22),-24}{Truncate(string.Join(',', r.Scopes), 26),-28}{Time(r.CreatedAt),-22}{Time(r.ExpiresAt),-22}{Time(r.LastUsedAt)}");
        }

        return 0;
    }

    private static async Task<int> RevokeAsync(Command command, IKeyPairIssuer issuer, TextWriter output)
    {
        command.Allow();
        string keyId = command.Argument ?? throw new UsageException("revoke needs the key id: keys revoke KEYID");
        if (!KeyId.IsValid(keyId))
        {
            throw new CommandException($"'{Truncate(keyId, 40)}' is not a key id ({KeyId.Prefix} followed by 16 characters).");
        }

        PublicKeyRecord existing = await issuer.GetAsync(keyId) ?? throw new CommandException($"no key {keyId} in the store.");
        if (existing.IsRevoked)
        {
            output.WriteLine($"{keyId} was already revoked at {Time(existing.RevokedAt)}");
            return 0;
        }

        PublicKeyRecord revoked = await issuer.RevokeAsync(keyId) ?? throw new CommandException($"no key {keyId} in the store.");
        output.WriteLine($"revoked {keyId} ({revoked.Name}, owner {revoked.Owner}) at {Time(revoked.RevokedAt)}");
        return 0;
    }

    private static void WriteRecord(TextWriter output, PublicKeyRecord record, TimeProvider time)
    {
        output.WriteLine($"key id:       {record.KeyId}");
        output.WriteLine($"owner:        {record.Owner}");
        output.WriteLine($"name:         {record.Name}");
        output.WriteLine($"scopes:       {(record.Scopes.Count == 0 ? "(none)" : string.Join(", ", record.Scopes))}");
        output.WriteLine($"created:      {Time(record.CreatedAt)}");
        output.WriteLine($"expires:      {(record.ExpiresAt is null ? "never" : Time(record.ExpiresAt))}");
        output.WriteLine($"status:       {Status(record, time)}");
        output.WriteLine($"fingerprint:  {record.PublicKey.Fingerprint}");
    }

    private static KeyOutput Describe(PublicKeyRecord r, TimeProvider time) => new(
        r.KeyId, r.Owner, r.Name, r.Scopes, r.CreatedAt, r.ExpiresAt, r.RevokedAt, r.LastUsedAt, Status(r, time),
        r.PublicKey.Fingerprint, r.PublicKey.ExportSpkiPem());

    private static string Status(PublicKeyRecord r, TimeProvider time) =>
        r.IsRevoked ? "revoked" : r.IsExpiredAt(time.GetUtcNow()) ? "expired" : "active";

    private static string Time(DateTimeOffset? value) =>
        value?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..(length - 1)] + "…";

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();

    private sealed record CreatedKeyOutput(
        string KeyId, string Owner, string Name, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt,
        string Fingerprint, string Secret, string PrivateKeyPem, string PublicKeyPem);

    private sealed record KeyOutput(
        string KeyId, string Owner, string Name, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt,
        DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt, string Status, string Fingerprint, string PublicKeyPem);

    /// <summary>A parsed command line: the command, at most one positional argument and <c>--name value</c> options.</summary>
    private sealed partial class Command
    {
        private static readonly string[] Commands = ["create", "register", "list", "revoke"];
        private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);

        private Command(string name) => Name = name;

        public string Name { get; }

        public string? Argument { get; private set; }

        public static Command Parse(string[] args)
        {
            if (!Commands.Contains(args[0]))
            {
                throw new UsageException($"unknown command '{Truncate(args[0], 40)}'; the commands are {string.Join(", ", Commands)}");
            }

            var command = new Command(args[0]);
            for (int i = 1; i < args.Length; i++)
            {
                string arg = args[i];
                if (!arg.StartsWith("--", StringComparison.Ordinal))
                {
                    if (command.Argument is not null)
                    {
                        throw new UsageException($"unexpected argument '{Truncate(arg, 40)}'");
                    }

                    command.Argument = arg;
                    continue;
                }

                string name = arg[2..];
                string? value = null;
                int equals = name.IndexOf('=', StringComparison.Ordinal);
                if (equals >= 0)
                {
                    value = name[(equals + 1)..];
                    name = name[..equals];
                }
                else if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    value = args[++i];
                }

                if (value is null)
                {
                    throw new UsageException($"--{name} needs a value");
                }

                if (!command._options.TryAdd(name, value))
                {
                    throw new UsageException($"--{name} is given twice");
                }
            }

            return command;
        }

        public void Allow(params string[] names)
        {
            foreach (string name in _options.Keys)
            {
                if (!names.Contains(name))
                {
                    throw new UsageException($"{Name} does not take --{Truncate(name, 40)}");
                }
            }

            if (Name != "revoke" && Argument is not null)
            {
                throw new UsageException($"unexpected argument '{Truncate(Argument, 40)}'");
            }
        }

        public string Required(string name) =>
            _options.TryGetValue(name, out string? value) && value.Length > 0 ? value : throw new UsageException($"{Name} needs --{name}");

        public string[] Scopes() =>
            _options.TryGetValue("scopes", out string? value)
                ? value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : [];

        public bool JsonFormat() => _options.GetValueOrDefault("format", "text") switch
        {
            "json" => true,
            "text" => false,
            string other => throw new UsageException($"--format is text or json, not '{Truncate(other, 20)}'"),
        };

        public DateTimeOffset? ExpiresAt(TimeProvider time)
        {
            if (!_options.TryGetValue("expires-in", out string? value))
            {
                return null;
            }

            Match match = DurationRegex().Match(value);
            if (!match.Success || !int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int amount) || amount < 1)
            {
                throw new UsageException($"--expires-in '{Truncate(value, 20)}' is not a duration like 90m, 12h, 30d or 8w");
            }

            TimeSpan duration = match.Groups[2].Value switch
            {
                "m" => TimeSpan.FromMinutes(amount),
                "h" => TimeSpan.FromHours(amount),
                "d" => TimeSpan.FromDays(amount),
                _ => TimeSpan.FromDays(7.0 * amount),
            };
            if (duration > TimeSpan.FromDays(3660))
            {
                throw new UsageException($"--expires-in '{value}' is more than ten years");
            }

            return time.GetUtcNow() + duration;
        }

        [GeneratedRegex("^([0-9]{1,6})([mhdw])$")]
        private static partial Regex DurationRegex();
    }

    private sealed class UsageException(string message) : Exception(message);

    private sealed class CommandException(string message) : Exception(message);
}
