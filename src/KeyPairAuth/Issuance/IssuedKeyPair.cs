using KeyPairAuth.Keys;
using KeyPairAuth.Stores;

namespace KeyPairAuth.Issuance;

/// <summary>
/// A freshly issued key pair: the stored <see cref="Record"/> plus the private key, which exists only here. Show
/// <see cref="Secret"/> (or <see cref="PrivateKeyPem"/>) to the user once, then dispose: the server cannot show it again.
/// </summary>
/// <remarks><see cref="ToString"/> names the key id only. <see cref="Dispose"/> zeroes the private key's characters.</remarks>
public sealed class IssuedKeyPair : IDisposable
{
    private readonly char[] _secret;
    private readonly char[] _pem;
    private bool _disposed;

    internal IssuedKeyPair(PublicKeyRecord record, char[] secret, char[] pem)
    {
        Record = record;
        _secret = secret;
        _pem = pem;
    }

    /// <summary>Gets the stored record (public key and metadata).</summary>
    public PublicKeyRecord Record { get; }

    /// <summary>Gets the key id.</summary>
    public string KeyId => Record.KeyId;

    /// <summary>Gets the private key as a KeyPairAuth secret string (<c>kpa_sk_...</c>), for KeyPairAuth clients.</summary>
    /// <exception cref="ObjectDisposedException">The pair was disposed.</exception>
    public string Secret
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return new string(_secret);
        }
    }

    /// <summary>Gets the private key as an unencrypted PKCS#8 PEM, for clients in other languages (openssl, Node, Python).</summary>
    /// <exception cref="ObjectDisposedException">The pair was disposed.</exception>
    public string PrivateKeyPem
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return new string(_pem);
        }
    }

    /// <summary>Creates a signing key from this pair (for example to sign a first request in a demo or test).</summary>
    /// <returns>The signing key; dispose it.</returns>
    /// <exception cref="ObjectDisposedException">The pair was disposed.</exception>
    public SigningKey CreateSigningKey() => SigningKey.Parse(Secret);

    /// <summary>Zeroes the private key's characters held by this object.</summary>
    public void Dispose()
    {
        _disposed = true;
        SigningKey.Zero(_secret);
        SigningKey.Zero(_pem);
    }

    /// <summary>Returns a description naming the key id only, never the private key.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => $"IssuedKeyPair {{ KeyId = {KeyId} }}";
}
