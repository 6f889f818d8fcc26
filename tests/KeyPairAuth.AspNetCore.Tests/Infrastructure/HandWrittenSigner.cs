using System.Security.Cryptography;
using System.Text;

namespace KeyPairAuth.AspNetCore.Tests.Infrastructure;

/// <summary>
/// An RFC 9421 signer written from the RFC text for these tests only, independent of the engine: builds the signature
/// base line by line (§2.5), signs it with NSec directly, and formats the two fields by hand.
/// </summary>
internal static class HandWrittenSigner
{
    public static void Sign(OutgoingRequest request, TestKey key, bool useTargetUri, long? created, string? nonce = null, bool omitNonce = false, bool omitKeyId = false, string alg = "ed25519", bool coverDigest = true)
    {
        nonce ??= Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        var components = new List<(string Name, string Value)> { ("@method", request.Method) };
        string path = request.RequestTarget;
        string query = "?";
        int q = path.IndexOf('?', StringComparison.Ordinal);
        if (q >= 0)
        {
            query = path[q..];
            path = path[..q];
        }

        if (useTargetUri)
        {
            components.Add(("@target-uri", $"{request.Scheme}://{request.Authority}{request.RequestTarget}"));
        }
        else
        {
            components.Add(("@authority", request.Authority.ToLowerInvariant()));
            components.Add(("@path", path));
            components.Add(("@query", query));
        }

        if (request.Body is { Length: > 0 } body)
        {
            string digest = $"sha-256=:{Convert.ToBase64String(SHA256.HashData(body))}:";
            request.Set("Content-Digest", digest);
            if (coverDigest)
            {
                components.Add(("content-digest", digest));
            }
        }

        string parameters = "(" + string.Join(' ', components.Select(c => $"\"{c.Name}\"")) + ")"
            + (created is null ? string.Empty : $";created={created}")
            + (omitKeyId ? string.Empty : $";keyid=\"{key.KeyId}\"")
            + (omitNonce ? string.Empty : $";nonce=\"{nonce}\"")
            + $";alg=\"{alg}\"";
        var signatureBase = new StringBuilder();
        foreach ((string name, string value) in components)
        {
            signatureBase.Append('"').Append(name).Append("\": ").Append(value).Append('\n');
        }

        signatureBase.Append("\"@signature-params\": ").Append(parameters);
        byte[] signature = key.SignRaw(Encoding.ASCII.GetBytes(signatureBase.ToString()));
        string encoded = Convert.ToBase64String(signature);
        Secrets.Register(encoded);
        request.Set("Signature-Input", "hand=" + parameters);
        request.Set("Signature", $"hand=:{encoded}:");
    }
}
