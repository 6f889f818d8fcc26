namespace KeyPairAuth.Issuance;

/// <summary>Options for <see cref="IKeyPairIssuer"/>.</summary>
public sealed class KeyPairIssuerOptions
{
    /// <summary>Gets or sets how many active (neither revoked nor expired) keys one owner may hold. Must be at least 1.</summary>
    /// <value>The default value is 10.</value>
    /// <remarks>Two keys are enough to rotate without downtime; the limit bounds what a compromised account can create.</remarks>
    public int MaxActiveKeysPerOwner { get; set; } = 10;
}
