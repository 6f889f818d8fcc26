// KeyPairAuth sample server: a key dashboard, a signed API and an admin CLI in one program.
//   dotnet run --project samples/KeyPairAuth.SampleServer                 the server (http://localhost:5080)
//   dotnet run --project samples/KeyPairAuth.SampleServer -- keys --help  the admin CLI on the same store
using KeyPairAuth.SampleServer;
using KeyPairAuth.SampleServer.Admin;

if (args.Length > 0 && args[0] == "keys")
{
    return await AdminCli.RunAsync(args[1..], Console.Out, Console.Error);
}

WebApplication app = SampleServerApp.Build(args);
await SampleServerApp.StartAsync(app, Console.Out);
await app.WaitForShutdownAsync();
return 0;
