using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using KeyPairAuth.Replay;
using KeyPairAuth.Signatures;
using KeyPairAuth.Stores;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace KeyPairAuth.AspNetCore.Internal;

/// <summary>
/// One <see cref="HttpMessageVerifier"/> per options instance (per scheme, and anew when options reload), and one more
/// per set of components endpoints require (<see cref="RequireSignedComponentsAttribute"/>), each with its merged
/// policy. Built on first use and cached: a request allocates nothing here.
/// </summary>
internal sealed class KeyPairVerifierFactory
{
    private readonly ConditionalWeakTable<KeyPairAuthenticationOptions, SchemePolicies> _schemes = new();
    private readonly ConditionalWeakTable<Endpoint, EndpointComponents> _endpoints = new();
    private readonly PublicKeyCache _keys;
    private readonly IReplayCache _replayCache;
    private readonly IValidateOptions<SignatureVerificationOptions>[] _validators;

    public KeyPairVerifierFactory(PublicKeyCache keys, IReplayCache replayCache, IEnumerable<IValidateOptions<SignatureVerificationOptions>> validators)
    {
        _keys = keys;
        _replayCache = replayCache;
        _validators = [.. validators];
    }

    /// <summary>Gets the verifier for these options and this endpoint; only the first request after an options (re)load, or to a new set of required components, builds one.</summary>
    public HttpMessageVerifier Get(KeyPairAuthenticationOptions options, TimeProvider timeProvider, Endpoint? endpoint = null) =>
        GetPolicy(options, timeProvider, endpoint).Verifier;

    /// <summary>Gets the policy (options and verifier) for these options and this endpoint.</summary>
    /// <exception cref="InvalidOperationException">The endpoint requires a component that cannot be required.</exception>
    public VerificationPolicy GetPolicy(KeyPairAuthenticationOptions options, TimeProvider timeProvider, Endpoint? endpoint)
    {
        // TryGetValue first: GetValue's factory lambda captures the time provider, a closure and a delegate per request.
        if (!_schemes.TryGetValue(options, out SchemePolicies? scheme))
        {
            scheme = _schemes.GetValue(options, o => new SchemePolicies(new VerificationPolicy(o.Verification, new HttpMessageVerifier(_keys, _replayCache, o.Verification, timeProvider))));
        }

        // The usual endpoint requires nothing more: one cached metadata lookup.
        if (endpoint is null || endpoint.Metadata.GetOrderedMetadata<RequireSignedComponentsAttribute>().Count == 0)
        {
            return scheme.Default;
        }

        if (!_endpoints.TryGetValue(endpoint, out EndpointComponents? components))
        {
            components = _endpoints.GetValue(endpoint, EndpointComponents.Create);
        }

        return scheme.BySet.TryGetValue(components.Key, out VerificationPolicy? policy)
            ? policy
            : scheme.BySet.GetOrAdd(components.Key, _ => CreatePolicy(scheme.Default.Options, components, endpoint, timeProvider));
    }

    private VerificationPolicy CreatePolicy(SignatureVerificationOptions schemeOptions, EndpointComponents components, Endpoint endpoint, TimeProvider timeProvider)
    {
        SignatureVerificationOptions merged = VerificationOptionsCopy.Create(schemeOptions);
        foreach (string component in components.Names)
        {
            if (!merged.AdditionalRequiredComponents.Contains(component))
            {
                merged.AdditionalRequiredComponents.Add(component);
            }
        }

        List<string> failures = [];
        foreach (IValidateOptions<SignatureVerificationOptions> validator in _validators)
        {
            ValidateOptionsResult result = validator.Validate(null, merged);
            if (result.Failed)
            {
                failures.AddRange(result.Failures);
            }
        }

        if (failures.Count > 0)
        {
            throw new InvalidOperationException(
                $"The endpoint '{endpoint.DisplayName}' requires signed components ([RequireSignedComponents] / RequireSignedComponents(...)) that cannot be required: {string.Join(" ", failures)}");
        }

        return new VerificationPolicy(merged, new HttpMessageVerifier(_keys, _replayCache, merged, timeProvider));
    }

    private sealed class SchemePolicies(VerificationPolicy defaultPolicy)
    {
        public VerificationPolicy Default { get; } = defaultPolicy;

        public ConcurrentDictionary<string, VerificationPolicy> BySet { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>The union of an endpoint's <see cref="RequireSignedComponentsAttribute"/>s, in order of appearance, and a key naming the set.</summary>
    private sealed class EndpointComponents(string[] names)
    {
        public string[] Names { get; } = names;

        // Order-independent, so endpoints requiring the same set share one verifier.
        public string Key { get; } = string.Join('\n', names.Order(StringComparer.Ordinal));

        public static EndpointComponents Create(Endpoint endpoint)
        {
            var names = new List<string>();
            foreach (RequireSignedComponentsAttribute attribute in endpoint.Metadata.GetOrderedMetadata<RequireSignedComponentsAttribute>())
            {
                foreach (string name in attribute.Components)
                {
                    if (!names.Contains(name))
                    {
                        names.Add(name);
                    }
                }
            }

            return new EndpointComponents([.. names]);
        }
    }
}
