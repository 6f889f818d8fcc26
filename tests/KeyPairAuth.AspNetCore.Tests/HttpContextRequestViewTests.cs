using KeyPairAuth.Signatures;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace KeyPairAuth.AspNetCore.Tests;

public sealed class HttpContextRequestViewTests
{
    private static DefaultHttpContext Context(string rawTarget, string path, string pathBase = "", string method = "GET")
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("api.example.com");
        context.Request.PathBase = pathBase.Length == 0 ? PathString.Empty : new PathString(pathBase);
        context.Request.Path = new PathString(path);
        context.Features.Get<IHttpRequestFeature>()!.RawTarget = rawTarget;
        return context;
    }

    [Theory]
    [InlineData("/orders?x=1", "/orders", "/orders?x=1")]
    [InlineData("/a%2Fb", "/a%2Fb", "/a%2Fb")]
    [InlineData("/a?x=1#&admin=true", "/a", "/a?x=1%23&admin=true")]
    [InlineData("http://api.example.com/orders?x=1", "/orders", "/orders?x=1")]
    [InlineData("HTTPS://api.example.com/orders", "/orders", "/orders")]
    [InlineData("http://api.example.com", "/", "/")]
    [InlineData("http://api.example.com?x=1", "/", "/?x=1")]
    [InlineData("http://api.example.com/caf%C3%A9%20x", "/café x", "/caf%C3%A9%20x")]
    [InlineData("http://api.example.com/a%25b", "/a%b", "/a%25b")]
    public void RequestTarget_OriginFormOrVerbatimAbsoluteForm_IsTheSignedTarget(string raw, string path, string expected)
    {
        var view = new HttpContextRequestView(Context(raw, path).Request);

        Assert.True(view.IsRequestTargetSupported);
        Assert.Equal(expected, view.RequestTarget);
    }

    [Fact]
    public void RequestTarget_AbsoluteFormUnderPathBase_ComparesPathBasePlusPath()
    {
        var view = new HttpContextRequestView(Context("http://api.example.com/base/orders", "/orders", "/base").Request);

        Assert.True(view.IsRequestTargetSupported);
        Assert.Equal("/base/orders", view.RequestTarget);
    }

    [Theory]
    [InlineData("http://api.example.com#/orders?x=1", "/")]
    [InlineData("http://api.example.com/orders#frag", "/orders")]
    [InlineData("http://api.example.com\\orders", "/orders")]
    [InlineData("http://api.example.com/a%2Fb", "/a/b")]
    [InlineData("http://api.example.com/a%2fb", "/a/b")]
    [InlineData("http://api.example.com/a%5Cb", "/a\\b")]
    [InlineData("http://api.example.com/a/../b", "/b")]
    [InlineData("http://api.example.com/a/./b", "/a/b")]
    [InlineData("http://api.example.com/a/..", "/")]
    [InlineData("http://api.example.com/a/%2e%2e/b", "/b")]
    [InlineData("http://user@api.example.com/orders", "/orders")]
    [InlineData("ftp://api.example.com/orders", "/orders")]
    [InlineData("http:/orders", "/orders")]
    [InlineData("http://api.example.com/orders", "/other")]
    [InlineData("http://api.example.com/caf%C3", "/caf%C3")]
    [InlineData("http://api.example.com/a%zz", "/a%zz")]
    public void RequestTarget_AbsoluteFormNotTakenVerbatim_IsRefused(string raw, string path)
    {
        var view = new HttpContextRequestView(Context(raw, path).Request);

        Assert.False(view.IsRequestTargetSupported);

        // Even read without the check, it cannot verify: no signature base accepts '#'.
        Assert.Equal("#", view.RequestTarget);
    }

    [Fact]
    public void FindAlteration_NothingPublished_IsNull()
    {
        DefaultHttpContext context = Context("/orders", "/orders");

        Assert.Null(HttpContextRequestView.FindAlteration(context));
    }

    [Theory]
    [InlineData("method")]
    [InlineData("scheme")]
    [InlineData("authority")]
    [InlineData("target")]
    [InlineData("path base")]
    public void FindAlteration_AuthenticatedThenChanged_NamesWhatChanged(string what)
    {
        DefaultHttpContext context = Context("/orders", "/orders");
        var view = new HttpContextRequestView(context.Request);
        view.Publish(context.Features);
        view.MarkAuthenticated();
        Assert.Null(HttpContextRequestView.FindAlteration(context));

        switch (what)
        {
            case "method": context.Request.Method = "DELETE"; break;
            case "scheme": context.Request.Scheme = "https"; break;
            case "authority": context.Request.Host = new HostString("tenant-b.example"); break;
            case "target": context.Features.Get<IHttpRequestFeature>()!.RawTarget = "/admin"; break;
            default: context.Request.PathBase = new PathString("/admin"); break;
        }

        Assert.Equal(what, HttpContextRequestView.FindAlteration(context));
    }

    [Fact]
    public void FindAlteration_PathAndQueryRewritten_IsNull()
    {
        // Path and query rewrites (UseRewriter) map the signed raw target by the application's own rules.
        DefaultHttpContext context = Context("/v1/orders?x=1", "/v1/orders");
        var view = new HttpContextRequestView(context.Request);
        view.Publish(context.Features);
        view.MarkAuthenticated();

        context.Request.Path = "/api/orders";
        context.Request.QueryString = new QueryString("?x=2");

        Assert.Null(HttpContextRequestView.FindAlteration(context));
    }

    [Fact]
    public void FindAlteration_PublishedButNotAuthenticated_IsNull()
    {
        // The digest check failed after the nonce was accepted: nothing was authenticated, nothing to protect.
        DefaultHttpContext context = Context("/orders", "/orders");
        new HttpContextRequestView(context.Request).Publish(context.Features);
        context.Request.Method = "DELETE";

        Assert.Null(HttpContextRequestView.FindAlteration(context));
    }

    [Fact]
    public void NonceRecord_PairAcceptedByAnEarlierView_IsFoundBySameRequestOnly()
    {
        DefaultHttpContext context = Context("/orders", "/orders");
        var first = new HttpContextRequestView(context.Request);
        ((IRequestNonceRecord)first).RecordAccepted("kpa_1".AsMemory(), "nonce-1".AsMemory());
        first.Publish(context.Features);

        IRequestNonceRecord second = new HttpContextRequestView(context.Request);
        Assert.True(second.WasAccepted("kpa_1", "nonce-1"));
        Assert.False(second.WasAccepted("kpa_1", "nonce-2"));
        Assert.False(second.WasAccepted("kpa_2", "nonce-1"));

        IRequestNonceRecord otherRequest = new HttpContextRequestView(Context("/orders", "/orders").Request);
        Assert.False(otherRequest.WasAccepted("kpa_1", "nonce-1"));
    }

    [Fact]
    public void NonceRecord_ThreeVerifications_EveryEarlierPairIsFound()
    {
        DefaultHttpContext context = Context("/orders", "/orders");
        var first = new HttpContextRequestView(context.Request);
        ((IRequestNonceRecord)first).RecordAccepted("kpa_1".AsMemory(), "a".AsMemory());
        first.Publish(context.Features);
        var second = new HttpContextRequestView(context.Request);
        ((IRequestNonceRecord)second).RecordAccepted("kpa_1".AsMemory(), "b".AsMemory());
        second.Publish(context.Features);

        IRequestNonceRecord third = new HttpContextRequestView(context.Request);
        Assert.True(third.WasAccepted("kpa_1", "a"));
        Assert.True(third.WasAccepted("kpa_1", "b"));
    }
}
