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

        Command root = CreateRootCommand(output, error, context);
        // No response files: "@file" is this tool's syntax for a body file (as in curl), not a list of more arguments.
        ParseResult parseResult = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });

        if (parseResult.Errors.Count > 0 && parseResult.Action is not HelpAction)
        {
            foreach (System.CommandLine.Parsing.ParseError parseError in parseResult.Errors)
            {
                await error.WriteLineAsync($"keypairauth: {parseError.Message}").ConfigureAwait(false);
            }

            string commandName = parseResult.CommandResult.Command == root ? "keypairauth" : $"keypairauth {parseResult.CommandResult.Command.Name}";
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
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A bug or an environment failure: one line, no stack trace, no inputs echoed.
            await error.WriteLineAsync($"keypairauth: unexpected error: {ex.GetType().Name}: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Error;
        }
    }

    internal static Command CreateRootCommand(TextWriter output, TextWriter error, CliContext context)
    {
        // Named explicitly: RootCommand would take the name of the entry assembly (KeyPairAuth.Cli), not the tool command.
        var root = new Command(
            "keypairauth",
            "KeyPairAuth: Ed25519 API keys with RFC 9421 HTTP Message Signatures. Create key pairs, inspect keys, sign and send requests.")
        {
            new HelpOption(),
            new VersionOption(),
        };
        root.Subcommands.Add(KeygenCommand.Create(output, context));
        root.Subcommands.Add(InspectCommand.Create(output, context));
        root.Subcommands.Add(SignCommand.Create(output, error, context));
        root.Subcommands.Add(RequestCommand.Create(output, error, context));
        return root;
    }
}
