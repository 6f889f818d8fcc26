using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace KeyPairAuth.Redis.Internal;

/// <summary>Validates <see cref="KeyPairAuthRedisOptions"/> at start-up; each message names the setting.</summary>
internal sealed class KeyPairAuthRedisOptionsValidator(IServiceProvider services) : IValidateOptions<KeyPairAuthRedisOptions>
{
    internal static readonly TimeSpan MaxTimeout = TimeSpan.FromSeconds(30);

    public ValidateOptionsResult Validate(string? name, KeyPairAuthRedisOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();

        if (string.IsNullOrWhiteSpace(options.Configuration))
        {
            bool hasMultiplexer = services.GetService<IServiceProviderIsService>()?.IsService(typeof(IConnectionMultiplexer)) ?? false;
            if (!hasMultiplexer)
            {
                failures.Add("KeyPairAuthRedisOptions.Configuration is required (a StackExchange.Redis configuration string such as 'localhost:6379') when no IConnectionMultiplexer is registered in the service collection.");
            }
        }
        else if (TryParse(options.Configuration) is { } problem)
        {
            failures.Add($"KeyPairAuthRedisOptions.Configuration {problem}.");
        }

        if (string.IsNullOrEmpty(options.KeyPrefix) || options.KeyPrefix.Length > KeyPairAuthRedisOptions.MaxNameLength)
        {
            failures.Add($"KeyPairAuthRedisOptions.KeyPrefix must be 1 to {KeyPairAuthRedisOptions.MaxNameLength} characters (it keeps replay keys apart from other data); found {Describe(options.KeyPrefix)}.");
        }

        if (options.Timeout <= TimeSpan.Zero || options.Timeout > MaxTimeout)
        {
            failures.Add($"KeyPairAuthRedisOptions.Timeout must be positive and at most {MaxTimeout.TotalSeconds:F0} seconds (it bounds how long a request waits on Redis); found {options.Timeout}.");
        }

        if (string.IsNullOrEmpty(options.RevocationChannel) || options.RevocationChannel.Length > KeyPairAuthRedisOptions.MaxNameLength)
        {
            failures.Add($"KeyPairAuthRedisOptions.RevocationChannel must be 1 to {KeyPairAuthRedisOptions.MaxNameLength} characters; found {Describe(options.RevocationChannel)}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Parses the configuration string; returns what is wrong without echoing it (it may hold a password).</summary>
    internal static string? TryParse(string configuration)
    {
        ConfigurationOptions parsed;
        try
        {
            parsed = ConfigurationOptions.Parse(configuration);
        }
        catch (ArgumentException)
        {
            // StackExchange.Redis names the offending keyword; the value could be a password, so say less.
            return "is not a valid StackExchange.Redis configuration string (an unknown or malformed option); see https://stackexchange.github.io/StackExchange.Redis/Configuration";
        }

        return parsed.EndPoints.Count == 0 ? "names no endpoint (expected host:port, for example 'localhost:6379')" : null;
    }

    private static string Describe(string? value) => value is null ? "null" : $"{value.Length} characters";
}
