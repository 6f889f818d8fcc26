using KeyPairAuth.Cli;

return await Cli.RunAsync(args, Console.Out, Console.Error, CliContext.FromConsole()).ConfigureAwait(false);
