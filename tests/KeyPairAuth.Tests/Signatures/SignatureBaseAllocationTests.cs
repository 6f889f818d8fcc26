using System.Reflection;
using System.Text;
using KeyPairAuth.Signatures;
using KeyPairAuth.StructuredFields;
using Microsoft.Extensions.Primitives;

namespace KeyPairAuth.Tests.Signatures;

/// <summary>
/// <see cref="SignatureBase.Build(IHttpRequestView, SfInnerList)"/> (the client's signer and the diagnostics call it per
/// request) allocates the returned string and nothing that grows with the number of calls: the byte buffer goes back to
/// the pool and the thread's <c>@signature-params</c> serialiser is reused.
/// </summary>
public sealed class SignatureBaseAllocationTests
{
    [Fact]
    public void Build_Repeatedly_AllocatesOnlyTheReturnedStrings()
    {
        var request = new FixedRequest();
        SfInnerList list = StructuredFieldParser.ParseDictionary("s=(\"@method\" \"@authority\" \"@path\" \"content-type\");created=1;keyid=\"k\"").Members[0].Value.InnerList!;

        // Warm up past the JIT's tiers and past every array the shared pool could hand out without allocating, so a
        // buffer that is not returned shows as a fresh allocation on each call below.
        string signatureBase = string.Empty;
        for (int i = 0; i < 300; i++)
        {
            signatureBase = SignatureBase.Build(request, list);
        }

        const int Calls = 100;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Calls; i++)
        {
            signatureBase = SignatureBase.Build(request, list);
        }

        long perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / Calls;

        // A string of n chars is 22 + 2n bytes, rounded to 8. A 512-byte pool buffer or a new StringBuilder per call
        // (about 600 bytes) would be well past the margin.
        long stringBytes = 22 + (2 * signatureBase.Length);
        Assert.True(perCall <= stringBytes + 128, $"Build allocated {perCall} bytes per call for a {signatureBase.Length}-char base");
    }

    [Fact]
    public void BuildPooled_FailingRepeatedly_ReturnsItsBufferEachTime()
    {
        // The verifier builds into a pooled buffer and a refused base (here an absent field) must give it back:
        // failing through BuildPooled costs what failing through Build costs (which returns it in a finally).
        var request = new FixedRequest();
        SfInnerList list = StructuredFieldParser.ParseDictionary("s=(\"@method\" \"x-absent\");created=1").Members[0].Value.InnerList!;

        long pooled = PerFailingCall(() => SignatureBase.BuildPooled(request, list).Dispose());
        long built = PerFailingCall(() => SignatureBase.Build(request, list));

        Assert.True(pooled <= built + 128, $"a failing BuildPooled allocated {pooled} bytes per call, a failing Build {built}");
    }

    [Theory]
    [InlineData("value, with, lots")]
    [InlineData("value,\r\n with\r\n\tfolds")]
    public void Build_ByteSequenceRepeatedly_ReturnsItsLineBuffer(string value)
    {
        // bs encodes each line through a scratch writer of 256 pooled bytes; it goes back to the pool each time.
        var request = new FixedRequest(value);
        SfInnerList bs = StructuredFieldParser.ParseDictionary("s=(\"content-type\";bs)").Members[0].Value.InnerList!;

        long perCall = PerCall(() => SignatureBase.Build(request, bs));

        // The base string, the line as chars and as bytes, and its base64: about 450-500 bytes here; a scratch buffer
        // not returned would add 280 on every call.
        Assert.True(perCall <= 640, $"Build with bs allocated {perCall} bytes per call");
    }

    [Fact]
    public void Build_LongBaseRepeatedly_ReturnsEachOutgrownBuffer()
    {
        // A 3000-char value grows the writer's first 512-byte buffer to 4 KiB; the outgrown buffer goes back to the
        // pool, so the call allocates only its string (about 6 KiB), not an abandoned 512-byte buffer as well.
        var request = new FixedRequest(new string('v', 3_000));
        SfInnerList list = StructuredFieldParser.ParseDictionary("s=(\"content-type\" \"@method\")").Members[0].Value.InnerList!;
        int length = SignatureBase.Build(request, list).Length;

        long perCall = PerCall(() => SignatureBase.Build(request, list));

        long stringBytes = 22 + (2 * length);
        Assert.True(perCall <= stringBytes + 256, $"Build allocated {perCall} bytes per call for a {length}-char base");
    }

    [Fact]
    public void Build_HugeSignatureParams_DoesNotLeaveTheGrownSerialiserOnTheThread()
    {
        // The @signature-params serialiser is kept per thread for reuse, but not once it has grown past 4 KiB: one huge
        // Signature-Input must not pin its size in memory on every thread that ever served one. (The field is private;
        // nothing else can observe what a thread keeps.)
        FieldInfo cached = typeof(SignatureBase).GetField("t_builder", BindingFlags.NonPublic | BindingFlags.Static)!;
        var request = new FixedRequest();
        SfInnerList small = StructuredFieldParser.ParseDictionary("s=(\"@method\");keyid=\"k\"").Members[0].Value.InnerList!;
        SfInnerList huge = StructuredFieldParser.ParseDictionary($"s=(\"@method\");keyid=\"{new string('k', 6_000)}\"").Members[0].Value.InnerList!;

        SignatureBase.Build(request, small);
        Assert.IsType<StringBuilder>(cached.GetValue(null));

        Assert.EndsWith(new string('k', 6_000) + "\"", SignatureBase.Build(request, huge), StringComparison.Ordinal);
        Assert.Null(cached.GetValue(null));

        SignatureBase.Build(request, small);
        SignatureBase.Build(request, small);
        Assert.True(Assert.IsType<StringBuilder>(cached.GetValue(null)).Capacity <= 4096);
    }

    private static long PerCall(Action build)
    {
        for (int i = 0; i < 300; i++)
        {
            build();
        }

        const int Calls = 100;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Calls; i++)
        {
            build();
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / Calls;
    }

    private static long PerFailingCall(Action build) => PerCall(() => Assert.Throws<SignatureBaseException>(build));

    /// <summary>A request view that allocates nothing per call (the test request's field lookup would).</summary>
    private sealed class FixedRequest : IHttpRequestView
    {
        private readonly StringValues _contentType;

        public FixedRequest(string contentType = "text/plain") => _contentType = new(contentType);

        public string Method => "GET";

        public string Scheme => "https";

        public string Authority => "example.com";

        public string RequestTarget => "/a?b=c";

        public bool HasContent => false;

        public StringValues GetFieldValues(string fieldName) => fieldName == "content-type" ? _contentType : StringValues.Empty;
    }
}
