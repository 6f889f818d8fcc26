using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace KeyPairAuth.AspNetCore.Internal;

/// <summary>
/// Fails every authorization of a request whose verified method, scheme, authority, raw target or path base was changed
/// after a KeyPair scheme authenticated it (for example <c>UseHttpMethodOverride</c> or <c>UseForwardedHeaders</c> placed
/// after <c>UseAuthentication</c>). The KeyPair scheme's forbid answer then reports
/// <c>request_altered_after_authentication</c> with 401.
/// </summary>
/// <remarks>
/// <para>Why an <see cref="IAuthorizationHandler"/>: the authorization service runs every registered handler for every
/// policy it evaluates, whichever way authorization is reached — the authorization middleware for minimal APIs,
/// controllers and Razor Pages, MVC's <c>AuthorizeFilter</c>, or an imperative <see cref="IAuthorizationService"/> call —
/// and <see cref="AuthorizationHandlerContext.Fail()"/> fails the evaluation whatever the policy's requirements are.
/// Handlers are registered as an enumerable, so this composes with an application's own policy provider, policy
/// evaluator and result handler; a decorator of one of those would have to displace the application's, and a
/// requirement would have to be injected into every policy, including those a custom provider builds.</para>
/// <para>It costs one feature lookup per evaluation on requests no KeyPair scheme authenticated, and reference
/// comparisons of five strings on those it did.</para>
/// </remarks>
internal sealed class KeyPairRequestIntegrityHandler : IAuthorizationHandler
{
    public Task HandleAsync(AuthorizationHandlerContext context)
    {
        HttpContext? http = context.Resource switch
        {
            HttpContext direct => direct,
            ActionContext action => action.HttpContext,
            _ => null,
        };

        if (http is not null && HttpContextRequestView.FindAlteration(http) is { } changed)
        {
            context.Fail(new AuthorizationFailureReason(this, $"The request's {changed} was changed after authentication."));
        }

        return Task.CompletedTask;
    }
}
