namespace KeyPairAuth.AspNetCore;

/// <summary>
/// Hooks into the KeyPair scheme. Each property is a delegate that may be replaced, or the class may be derived
/// from and registered with <c>EventsType</c>.
/// </summary>
/// <remarks>
/// For a signed request the events run in this order: <see cref="MessageReceived"/> (before verification),
/// <see cref="SignatureValidated"/> (after it), <see cref="AuthenticationFailed"/> (on a refusal or an error), then,
/// when the endpoint requires authentication, <see cref="Challenge"/> or <see cref="Forbidden"/>. Each context's
/// documentation says what it carries at that point and what each result does. An application's refusal in
/// <see cref="MessageReceived"/> or <see cref="SignatureValidated"/> is answered, logged and counted as
/// <c>rejected_by_application</c>.
/// </remarks>
public class KeyPairAuthenticationEvents
{
    private static readonly Func<KeyPairMessageReceivedContext, Task> NoMessageReceived = static _ => Task.CompletedTask;
    private static readonly Func<KeyPairSignatureValidatedContext, Task> NoSignatureValidated = static _ => Task.CompletedTask;

    /// <summary>Gets or sets the delegate invoked when a request carrying signature fields arrives, before anything is verified.</summary>
    public Func<KeyPairMessageReceivedContext, Task> OnMessageReceived { get; set; } = NoMessageReceived;

    /// <summary>Gets or sets the delegate invoked after the signature, the key and the body digest verified (the nonce is recorded) and the principal was built.</summary>
    public Func<KeyPairSignatureValidatedContext, Task> OnSignatureValidated { get; set; } = NoSignatureValidated;

    /// <summary>Gets or sets the delegate invoked when a signed request is refused or verification threw.</summary>
    public Func<KeyPairAuthenticationFailedContext, Task> OnAuthenticationFailed { get; set; } = static _ => Task.CompletedTask;

    /// <summary>Gets or sets the delegate invoked before the challenge response (401, 400, 413, 429 or 503) is written.</summary>
    public Func<KeyPairChallengeContext, Task> OnChallenge { get; set; } = static _ => Task.CompletedTask;

    /// <summary>Gets or sets the delegate invoked before the 403 response is written.</summary>
    public Func<KeyPairForbiddenContext, Task> OnForbidden { get; set; } = static _ => Task.CompletedTask;

    /// <summary>Invoked when a request carrying signature fields arrives.</summary>
    /// <param name="context">The context.</param>
    /// <returns>A task.</returns>
    public virtual Task MessageReceived(KeyPairMessageReceivedContext context) => OnMessageReceived(context);

    /// <summary>Invoked after the signature and body verified.</summary>
    /// <param name="context">The context.</param>
    /// <returns>A task.</returns>
    public virtual Task SignatureValidated(KeyPairSignatureValidatedContext context) => OnSignatureValidated(context);

    /// <summary>Invoked when a signed request is refused or verification threw.</summary>
    /// <param name="context">The context.</param>
    /// <returns>A task.</returns>
    public virtual Task AuthenticationFailed(KeyPairAuthenticationFailedContext context) => OnAuthenticationFailed(context);

    /// <summary>Invoked before the challenge response is written.</summary>
    /// <param name="context">The context.</param>
    /// <returns>A task.</returns>
    public virtual Task Challenge(KeyPairChallengeContext context) => OnChallenge(context);

    /// <summary>Invoked before the 403 response is written.</summary>
    /// <param name="context">The context.</param>
    /// <returns>A task.</returns>
    public virtual Task Forbidden(KeyPairForbiddenContext context) => OnForbidden(context);

    /// <summary>Gets a value indicating whether <see cref="MessageReceived"/> does nothing (not derived, delegate not replaced): the handler then skips building its context.</summary>
    internal bool IsDefaultMessageReceived => GetType() == typeof(KeyPairAuthenticationEvents) && ReferenceEquals(OnMessageReceived, NoMessageReceived);

    /// <summary>Gets a value indicating whether <see cref="SignatureValidated"/> does nothing (not derived, delegate not replaced).</summary>
    internal bool IsDefaultSignatureValidated => GetType() == typeof(KeyPairAuthenticationEvents) && ReferenceEquals(OnSignatureValidated, NoSignatureValidated);
}
