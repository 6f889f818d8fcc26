using Microsoft.Extensions.Options;

namespace KeyPairAuth.Stores;

/// <summary>Validates <see cref="PublicKeyCacheOptions"/> at start-up; each message names the setting. The cache's constructor applies the same rules.</summary>
internal sealed class PublicKeyCacheOptionsValidator : IValidateOptions<PublicKeyCacheOptions>
{
    public ValidateOptionsResult Validate(string? name, PublicKeyCacheOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        List<string> failures = [.. Failures(options).Select(f => $"PublicKeyCacheOptions.{f.Setting} {f.Message}")];
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The first rule <paramref name="options"/> breaks, or <see langword="null"/>.</summary>
    internal static (string Setting, string Message)? FirstFailure(PublicKeyCacheOptions options)
    {
        foreach ((string Setting, string Message) failure in Failures(options))
        {
            return failure;
        }

        return null;
    }

    private static IEnumerable<(string Setting, string Message)> Failures(PublicKeyCacheOptions options)
    {
        if (options.Duration < TimeSpan.Zero)
        {
            yield return (nameof(options.Duration), $"must not be negative; found {options.Duration}.");
        }

        if (options.MaxEntries < 1)
        {
            yield return (nameof(options.MaxEntries), $"must be at least 1; found {options.MaxEntries}.");
        }

        if (options.MaxUnknownEntries < 1)
        {
            yield return (nameof(options.MaxUnknownEntries), $"must be at least 1; found {options.MaxUnknownEntries}.");
        }

        if (options.MaxUnknownLookupsPerSecond < 1)
        {
            yield return (nameof(options.MaxUnknownLookupsPerSecond), $"must be at least 1; found {options.MaxUnknownLookupsPerSecond}.");
        }
    }
}
