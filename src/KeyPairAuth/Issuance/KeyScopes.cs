using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace KeyPairAuth.Issuance;

/// <summary>
/// The scope grammar. A scope is a lower-case name, optionally followed by <c>:</c>-separated qualifiers:
/// <c>^[a-z][a-z0-9_.-]*(:[a-z0-9_.*-]+)*\z</c>, at most 64 characters, for example <c>orders:read</c>,
/// <c>billing.invoices:write</c> or <c>files:*</c>. A key holds at most 32 scopes.
/// </summary>
/// <remarks>
/// The grammar keeps scopes safe to put in claims, logs and HTTP headers (no spaces, quotes or commas) and
/// unambiguous to compare (lower case only, compared ordinally). <c>*</c> is an ordinary character here; what it
/// means is up to the application's authorization policy.
/// </remarks>
public static partial class KeyScopes
{
    /// <summary>The maximum length of one scope, in characters.</summary>
    public const int MaxLength = 64;

    /// <summary>The maximum number of scopes on one key.</summary>
    public const int MaxScopesPerKey = 32;

    /// <summary>The scope grammar as a regular expression.</summary>
    /// <remarks>
    /// Anchored with <c>\z</c>, not <c>$</c>: in .NET <c>$</c> also matches before a final <c>\n</c>, which would let
    /// <c>"orders:read\n"</c> through.
    /// </remarks>
    public const string Pattern = @"^[a-z][a-z0-9_.-]*(:[a-z0-9_.*-]+)*\z";

    /// <summary>Gets whether <paramref name="scope"/> matches the scope grammar.</summary>
    /// <param name="scope">The scope; may be <see langword="null"/>.</param>
    /// <returns><see langword="true"/> when the scope is valid.</returns>
    public static bool IsValid([NotNullWhen(true)] string? scope) =>
        scope is { Length: <= MaxLength } && ScopeRegex().IsMatch(scope);

    [GeneratedRegex(Pattern, RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex ScopeRegex();
}
