using System.CommandLine;
using System.CommandLine.Help;
using KeyPairAuth.Cli.Commands;

namespace KeyPairAuth.Cli;

/// <summary>The <c>keypairauth</c> command line: parsing, dispatch, and the one place errors become exit codes.</summary>
internal static class Cli
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CliContext? context = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        context ??= new CliContext();

        RootCommand root = CreateRootCommand(output, context);
        ParseResult parseResult = root.Parse(args);

        if (parseResult.Errors.Count > 0 && parseResult.Action is not HelpAction)
        {
            foreach (System.CommandLine.Parsing.ParseError parseError in parseResult.Errors)
            {
                await error.WriteLineAsync($"keypairauth: {parseError.Message}").ConfigureAwait(false);
            }

            string commandName = parseResult.CommandResult.Command is RootCommand ? "keypairauth" : $"keypairauth {parseResult.CommandResult.Command.Name}";
            await error.WriteLineAsync($"Run '{commandName} --help' for usage.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        try
        {
            var configuration = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
            return await parseResult.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (CliException ex)
        {
            await error.WriteLineAsync($"keypairauth: {ex.Message}").ConfigureAwait(false);
            return ex.ExitCode;
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync("keypairauth: cancelled.").ConfigureAwait(false);
            return ExitCodes.Error;
        }
    }

    internal static RootCommand CreateRootCommand(TextWriter output, CliContext context)
    {
        var root = new RootCommand(
            "KeyPairAuth: Ed25519 API keys with RFC 9421 HTTP Message Signatures. Create key pairs, inspect keys, sign and send requests.");
        root.Subcommands.Add(KeygenCommand.Create(output, context));
        root.Subcommands.Add(InspectCommand.Create(output, context));
        root.Subcommands.Add(SignCommand.Create(output, context));
        root.Subcommands.Add(RequestCommand.Create(output, context));
        return root;
    }
}
