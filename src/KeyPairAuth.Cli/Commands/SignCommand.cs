using System.CommandLine;
using System.Text;
using KeyPairAuth.Digests;
using KeyPairAuth.Signatures;

namespace KeyPairAuth.Cli.Commands;

/// <summary><c>keypairauth sign</c>: prints the signature fields for a request, or a ready curl command line.</summary>
internal static class SignCommand
{
    public static Command Create(TextWriter output, TextWriter error, CliContext context)
    {
        var shared = new SignedRequestOptions();
        var curl = new Option<bool>("--curl") { Description = "Print a complete curl command line (POSIX shell quoting) instead of the headers." };
        var command = new Command("sign", "Sign a request and print its Content-Digest, Signature-Input and Signature headers (or, with --curl, a curl command that sends it).");
        shared.AddTo(command);
        command.Options.Add(curl);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            bool asCurl = parseResult.GetValue(curl);
            if (asCurl)
            {
                CurlCommand.ThrowIfInexpressible(parseResult.GetValue(shared.Method)!, parseResult.GetValue(shared.Data) is not null);
            }

            using SignedRequest signed = await shared.BuildAsync(parseResult, context, error, cancellationToken).ConfigureAwait(false);
            if (asCurl)
            {
                if (parseResult.GetValue(shared.ShowBase))
                {
                    // stdout stays a command that can be piped to sh.
                    await error.WriteAsync(SignedRequestOptions.FormatSignatureBase(signed.Request)).ConfigureAwait(false);
                }

                await output.WriteLineAsync(CurlCommand.Format(signed.Request, signed.Body)).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            var text = new StringBuilder();
            foreach (string name in (string[])[ContentDigest.FieldName, SignatureFields.SignatureInputFieldName, SignatureFields.SignatureFieldName])
            {
                if (signed.Request.Headers.NonValidated.TryGetValues(name, out var values))
                {
                    foreach (string value in values)
                    {
                        text.Append(name).Append(": ").AppendLine(value);
                    }
                }
            }

            if (parseResult.GetValue(shared.ShowBase))
            {
                // A blank line, then a framed block: the header lines above stay copyable as they are.
                text.AppendLine().Append(SignedRequestOptions.FormatSignatureBase(signed.Request));
            }

            await output.WriteAsync(text.ToString()).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }
}
