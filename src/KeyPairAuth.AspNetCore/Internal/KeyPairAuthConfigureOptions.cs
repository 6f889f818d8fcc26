using KeyPairAuth.Issuance;
using KeyPairAuth.Replay;
using KeyPairAuth.Stores;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KeyPairAuth.AspNetCore.Internal;

/// <summary>
/// Binds the core services' options from the <c>KeyPairAuth</c> configuration section: <c>KeyPairAuth:KeyCache</c>
/// (<see cref="PublicKeyCacheOptions"/>), <c>KeyPairAuth:ReplayCache</c> (<see cref="InMemoryReplayCacheOptions"/>) and
/// <c>KeyPairAuth:Issuance</c> (<see cref="KeyPairIssuerOptions"/>). Registered before any options configured in code,
/// so code wins.
/// </summary>
internal sealed class KeyPairAuthConfigureOptions(IServiceProvider services) :
    IConfigureOptions<PublicKeyCacheOptions>, IConfigureOptions<InMemoryReplayCacheOptions>, IConfigureOptions<KeyPairIssuerOptions>
{
    public const string SectionName = "KeyPairAuth";

    public void Configure(PublicKeyCacheOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (Section("KeyCache") is { } config)
        {
            options.Duration = config.TimeSpan(nameof(options.Duration), options.Duration);
            options.MaxEntries = config.Int32(nameof(options.MaxEntries), options.MaxEntries);
            options.MaxUnknownEntries = config.Int32(nameof(options.MaxUnknownEntries), options.MaxUnknownEntries);
            options.MaxUnknownLookupsPerSecond = config.Int32(nameof(options.MaxUnknownLookupsPerSecond), options.MaxUnknownLookupsPerSecond);
        }
    }

    public void Configure(InMemoryReplayCacheOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (Section("ReplayCache") is { } config)
        {
            options.MaxEntries = config.Int32(nameof(options.MaxEntries), options.MaxEntries);
            if (config.Has(nameof(options.MaxEntriesPerKey)))
            {
                options.MaxEntriesPerKey = config.Int32(nameof(options.MaxEntriesPerKey), options.MaxEntriesPerKey ?? 0);
            }
        }
    }

    public void Configure(KeyPairIssuerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (Section("Issuance") is { } config)
        {
            options.MaxActiveKeysPerOwner = config.Int32(nameof(options.MaxActiveKeysPerOwner), options.MaxActiveKeysPerOwner);
        }
    }

    private ConfigurationReader? Section(string name)
    {
        IConfigurationSection? section = services.GetService<IConfiguration>()?.GetSection(SectionName).GetSection(name);
        return section is not null && section.Exists() ? new ConfigurationReader(section) : null;
    }
}
