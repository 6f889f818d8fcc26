using System.Runtime.CompilerServices;
using KeyPairAuth.Replay;
using KeyPairAuth.Signatures;
using KeyPairAuth.Stores;

namespace KeyPairAuth.AspNetCore.Internal;

/// <summary>One <see cref="HttpMessageVerifier"/> per options instance (per scheme, and anew when options reload).</summary>
internal sealed class KeyPairVerifierFactory
{
    private readonly ConditionalWeakTable<KeyPairAuthenticationOptions, HttpMessageVerifier> _verifiers = new();
    private readonly PublicKeyCache _keys;
    private readonly IReplayCache _replayCache;

    public KeyPairVerifierFactory(PublicKeyCache keys, IReplayCache replayCache)
    {
        _keys = keys;
        _replayCache = replayCache;
    }

    /// <summary>Gets the verifier for these options; only the first request after an options (re)load builds one.</summary>
    public HttpMessageVerifier Get(KeyPairAuthenticationOptions options, TimeProvider timeProvider)
    {
        // TryGetValue first: GetValue's factory lambda captures the time provider, a closure and a delegate per request.
        if (_verifiers.TryGetValue(options, out HttpMessageVerifier? verifier))
        {
            return verifier;
        }

        return _verifiers.GetValue(options, o => new HttpMessageVerifier(_keys, _replayCache, o.Verification, timeProvider));
    }
}
