using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using KeyPairAuth.Keys;
using KeyPairAuth.StructuredFields;

namespace KeyPairAuth.Signatures;

/// <summary>
/// Signs requests with the KeyPairAuth profile: covers <see cref="SigningOptions.DefaultComponents"/>
/// (<c>@method @scheme @authority @path @query</c>, and <c>content-digest</c> when the request has content) with
/// <c>created</c>, <c>keyid</c>, a fresh 128-bit <c>nonce</c> and <c>alg="ed25519"</c>.
/// </summary>
/// <remarks>Parameters are written in the order <c>created</c>, <c>keyid</c>, <c>nonce</c>, <c>alg</c>, <c>expires</c>, <c>tag</c>.</remarks>
public sealed class HttpMessageSigner
{
    /// <summary>The <c>alg</c> value for Ed25519 (RFC 9421 §3.3.6).</summary>
    public const string Algorithm = "ed25519";

    private const int NonceBytes = 16;
    private const int NonceBufferSize = 4096;

    [ThreadStatic]
    private static byte[]? _threadNonceBuffer;

    [ThreadStatic]
    private static int _threadNonceOffset;

    /// <summary>Room for the default coverage with a long key id and every parameter without growing.</summary>
    private const int InputBuilderCapacity = 256;

    [ThreadStatic]
    private static StringBuilder? _threadInputBuilder;

    private static readonly SfItem[] DefaultComponents = [.. SignatureProfile.DefaultComponents.Select(Component)];
    private static readonly SfItem[] DefaultComponentsWithDigest = [.. DefaultComponents, Component(SignatureProfile.ContentDigestComponent)];

    /// <summary>Initializes a new instance of the <see cref="HttpMessageSigner"/> class.</summary>
    /// <param name="timeProvider">The clock for <c>created</c>; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public HttpMessageSigner(TimeProvider? timeProvider = null) => TimeProvider = timeProvider ?? TimeProvider.System;

    /// <summary>Gets the clock.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>
    /// Signs a request. When <see cref="IHttpRequestView.HasContent"/> is true the request must already carry its
    /// <c>Content-Digest</c> field (see <c>ContentDigest.Compute</c>).
    /// </summary>
    /// <param name="request">The request to sign.</param>
    /// <param name="key">The signing key.</param>
    /// <param name="options">Signing options, or <see langword="null"/> for the defaults.</param>
    /// <returns>The <c>Signature-Input</c> and <c>Signature</c> field values to add.</returns>
    /// <exception cref="SignatureBaseException">A covered component is absent from the request, or the request has content but no <c>Content-Digest</c> field.</exception>
    /// <exception cref="ArgumentException">The label, a component identifier or the tag is not valid.</exception>
    public SignatureFields Sign(IHttpRequestView request, SigningKey key, SigningOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(key);
        options ??= SigningOptions.Default;

        string label = options.Label;
        if (!SignatureProfile.IsLabel(label))
        {
            throw new ArgumentException("The signature label must be a structured-field key: lower-case letters, digits, '_', '-', '.', '*', starting with a letter or '*'.", nameof(options));
        }

        IReadOnlyList<SfItem> components = options.Components is null
            ? (request.HasContent ? DefaultComponentsWithDigest : DefaultComponents)
            : ParseComponents(options.Components);

        if (request.HasContent && options.Components is null && request.GetFieldValues(Digests.ContentDigest.FieldName).Count == 0)
        {
            throw new SignatureBaseException("The request has content but no Content-Digest field: compute it with ContentDigest.Compute (or ComputeAsync) and add it before signing.");
        }

        long created = (options.Created ?? TimeProvider.GetUtcNow()).ToUnixTimeSeconds();
        var parameters = new List<KeyValuePair<string, SfBareItem>>(6)
        {
            new("created", SfBareItem.FromInteger(created)),
            new("keyid", SfBareItem.FromString(key.KeyId)),
        };

        if (options.IncludeNonce)
        {
            parameters.Add(new("nonce", SfBareItem.FromString(options.Nonce ?? NewNonce())));
        }

        if (options.IncludeAlgorithm)
        {
            parameters.Add(new("alg", SfBareItem.FromString(Algorithm)));
        }

        if (options.ExpiresAfter is { } expiresAfter)
        {
            parameters.Add(new("expires", SfBareItem.FromInteger(created + (long)Math.Ceiling(expiresAfter.TotalSeconds))));
        }

        if (options.Tag is not null)
        {
            parameters.Add(new("tag", SfBareItem.FromString(options.Tag)));
        }

        var signatureParams = new SfInnerList(components, new SfParameters(parameters));
        Span<byte> signature = stackalloc byte[SigningKey.SignatureSize];
        SignatureBaseWriter writer = SignatureBase.BuildPooled(request, signatureParams);
        try
        {
            key.Sign(writer.WrittenSpan, signature);
        }
        finally
        {
            writer.Dispose();
        }

        return new SignatureFields(FormatSignatureInput(label, signatureParams), FormatSignature(label, signature));
    }

    /// <summary>Creates a fresh 128-bit nonce from <see cref="RandomNumberGenerator"/>, base64url without padding (22 characters).</summary>
    /// <returns>The nonce.</returns>
    public static string NewNonce()
    {
        // One RandomNumberGenerator call costs about as much as a fifth of an Ed25519 signature here (glibc's
        // arc4random_buf makes a getrandom system call per call), so each thread draws 4 KiB at a time and hands out
        // 16-byte slices. Nonces are public and only need to be unpredictable and unique; every byte is used once and
        // zeroed once used.
        byte[]? buffer = _threadNonceBuffer;
        int offset = _threadNonceOffset;
        if (buffer is null || offset > buffer.Length - NonceBytes)
        {
            buffer ??= _threadNonceBuffer = new byte[NonceBufferSize];
            RandomNumberGenerator.Fill(buffer);
            offset = 0;
        }

        Span<byte> bytes = buffer.AsSpan(offset, NonceBytes);
        string nonce = Base64Url.EncodeToString(bytes);
        CryptographicOperations.ZeroMemory(bytes);
        _threadNonceOffset = offset + NonceBytes;
        return nonce;
    }

    /// <summary><c>label=(…);params</c>, serialised into a per-thread builder so only the result string is allocated.</summary>
    private static string FormatSignatureInput(string label, SfInnerList signatureParams)
    {
        StringBuilder builder = _threadInputBuilder ??= new StringBuilder(InputBuilderCapacity);
        builder.Clear();
        builder.Append(label).Append('=');
        StructuredFieldSerializer.Append(signatureParams, builder);
        string input = builder.ToString();
        if (builder.Capacity > 4 * InputBuilderCapacity)
        {
            _threadInputBuilder = null; // an unusually long coverage list: do not keep its buffer for the thread's lifetime
        }

        return input;
    }

    /// <summary><c>label=:base64:</c> written in one go (no intermediate base64 string).</summary>
    private static string FormatSignature(string label, ReadOnlySpan<byte> signature)
    {
        const int Base64Length = (SigningKey.SignatureSize + 2) / 3 * 4;
        int length = label.Length + 3 + Base64Length;
        Span<char> text = length <= 256 ? stackalloc char[length] : new char[length];
        label.AsSpan().CopyTo(text);
        int at = label.Length;
        text[at++] = '=';
        text[at++] = ':';
        Convert.TryToBase64Chars(signature, text[at..], out int written);
        at += written;
        text[at++] = ':';
        return new string(text[..at]);
    }

    private static SfItem Component(string name) => new(SfBareItem.FromString(name));

    private static SfItem[] ParseComponents(IReadOnlyList<string> components)
    {
        var items = new SfItem[components.Count];
        for (int i = 0; i < items.Length; i++)
        {
            string component = components[i] ?? throw new ArgumentException("A component identifier is null.", nameof(components));
            if (component.StartsWith('"'))
            {
                // A serialised identifier with parameters, e.g. "@query-param";name="id" or "example-dict";key="a".
                try
                {
                    items[i] = StructuredFieldParser.ParseItem(component);
                }
                catch (StructuredFieldException exception)
                {
                    throw new ArgumentException($"The component identifier at index {i} is not a valid structured-field item.", nameof(components), exception);
                }
            }
            else
            {
                items[i] = Component(component);
            }
        }

        return items;
    }
}
