namespace KeyPairAuth.Client.Internal;

/// <summary>Marks a client name as signed by KeyPairAuth, so validation applies to exactly those names and the handler is added once.</summary>
/// <param name="ClientName">The <c>IHttpClientBuilder.Name</c>.</param>
internal sealed record KeyPairSigningRegistration(string ClientName);
