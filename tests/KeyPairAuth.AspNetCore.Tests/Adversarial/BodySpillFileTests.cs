using System.Text;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;

namespace KeyPairAuth.AspNetCore.Tests.Adversarial;

/// <summary>Bodies above <c>BodyBufferThreshold</c> spill to a temporary file while they are hashed; it is removed on every path.</summary>
public sealed class BodySpillFileTests(DefaultAppFixture fixture) : IClassFixture<DefaultAppFixture>
{
    private TestApp App => fixture.App;

    private static string[] TempFiles() => Directory.GetFiles(Path.GetTempPath(), "ASPNETCORE_*.tmp");

    [Fact]
    public async Task LargeBodies_OnSuccessMismatchAndOverLimit_LeaveNoTemporaryFile()
    {
        string[] before = TempFiles();
        TestKey key = await App.AddKeyAsync();
        byte[] body = Encoding.ASCII.GetBytes("{\"x\":\"" + new string('a', 300_000) + "\"}");

        // 1. valid
        OutgoingRequest ok = TestApp.Sign(new OutgoingRequest("POST", App.Authority, "/orders", body) { ContentType = "application/json" }, key);
        RawResponse r1 = await RawHttp.SendAsync(App.BaseAddress, RawHttp.Format(ok));

        // 2. digest mismatch (same length, one byte changed)
        OutgoingRequest bad = TestApp.Sign(new OutgoingRequest("POST", App.Authority, "/orders", body) { ContentType = "application/json" }, key);
        byte[] tampered = (byte[])body.Clone();
        tampered[^3] = (byte)'b';
        RawResponse r2 = await RawHttp.SendAsync(App.BaseAddress, RawHttp.Format(bad, body: tampered));

        // 3. chunked, over the 1 MiB limit
        byte[] big = new byte[1_100_000];
        Array.Fill(big, (byte)'z');
        OutgoingRequest over = TestApp.Sign(new OutgoingRequest("POST", App.Authority, "/orders", big) { ContentType = "application/json" }, key);
        RawResponse r3 = await RawHttp.SendAsync(App.BaseAddress, RawHttp.Format(over, chunked: true));

        // The buffer's file is deleted when the response completes, just after the client has read it: poll (bounded)
        // rather than sleep. Other test classes may spill files of their own meanwhile; those go away too.
        string[] leftover = [.. TempFiles().Except(before)];
        for (int i = 0; i < 100 && leftover.Length > 0; i++)
        {
            await Task.Delay(50);
            leftover = [.. TempFiles().Except(before)];
        }

        Assert.True(r1.Status == 200 && r2.Has("digest_mismatch") && r3.Status == 413, $"{r1.Status} {r2.Status} {r3.Status}");
        Assert.Empty(leftover);
    }
}
