using Microsoft.Extensions.Options;

namespace KeyPairAuth.Replay;

/// <summary>Validates <see cref="InMemoryReplayCacheOptions"/> at start-up; each message names the setting. The cache's constructor applies the same rules.</summary>
internal sealed class InMemoryReplayCacheOptionsValidator : IValidateOptions<InMemoryReplayCacheOptions>
{
    public ValidateOptionsResult Validate(string? name, InMemoryReplayCacheOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        List<string> failures = [.. Failures(options).Select(f => $"InMemoryReplayCacheOptions.{f.Setting} {f.Message}")];
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The first rule <paramref name="options"/> breaks, or <see langword="null"/>.</summary>
    internal static (string Setting, string Message)? FirstFailure(InMemoryReplayCacheOptions options)
    {
        foreach ((string Setting, string Message) failure in Failures(options))
        {
            return failure;
        }

        return null;
    }

    private static IEnumerable<(string Setting, string Message)> Failures(InMemoryReplayCacheOptions options)
    {
        if (options.MaxEntries < 1)
        {
            yield return (nameof(options.MaxEntries), $"must be at least 1; found {options.MaxEntries}.");
        }

        if (options.MaxEntriesPerKey is { } perKey && (perKey < 1 || perKey > options.MaxEntries))
        {
            yield return (nameof(options.MaxEntriesPerKey), $"must be between 1 and MaxEntries ({options.MaxEntries}), or null for a tenth of MaxEntries; found {perKey}.");
        }
    }
}
