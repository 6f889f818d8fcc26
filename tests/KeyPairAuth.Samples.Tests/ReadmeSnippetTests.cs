using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace KeyPairAuth.Samples.Tests;

/// <summary>
/// The root README's server and client snippets compile as pasted into a new project: the server with the implicit
/// usings of <c>dotnet new web</c>, the client with those of <c>dotnet new console</c>, against the packages built here.
/// </summary>
public sealed partial class ReadmeSnippetTests
{
    private static readonly string[] ConsoleUsings =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];

    private static readonly string[] WebUsings =
    [
        .. ConsoleUsings, "System.Net.Http.Json", "Microsoft.AspNetCore.Builder", "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Http", "Microsoft.AspNetCore.Routing", "Microsoft.Extensions.Configuration",
        "Microsoft.Extensions.DependencyInjection", "Microsoft.Extensions.Hosting", "Microsoft.Extensions.Logging",
    ];

    [Fact]
    public void Readme_ServerSnippet_Compiles()
    {
        string snippet = Snippet("server");

        Assert.Contains("AddKeyPair()", snippet, StringComparison.Ordinal);
        AssertCompiles(snippet, WebUsings);
    }

    [Fact]
    public void Readme_ClientSnippet_Compiles()
    {
        string snippet = Snippet("client");

        Assert.Contains("AddKeyPairSigning", snippet, StringComparison.Ordinal);
        AssertCompiles(snippet, ConsoleUsings);
    }

    [Fact]
    public void Compile_BrokenSnippet_ReportsTheError()
    {
        // The check itself can fail: a snippet calling an API that does not exist is reported.
        Diagnostic[] errors = Compile("var builder = WebApplication.CreateBuilder(args); builder.Services.AddKeyPairNope();", WebUsings);

        Assert.Contains(errors, e => e.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("AddKeyPairNope", StringComparison.Ordinal));
    }

    private static string Snippet(string name)
    {
        string readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        Match match = Regex.Match(readme, "<!-- snippet: " + Regex.Escape(name) + "\\b[^>]*-->\\s*```csharp\\n(?<code>.*?)```", RegexOptions.Singleline);
        Assert.True(match.Success, $"README.md has no '<!-- snippet: {name} -->' followed by a csharp block.");
        return match.Groups["code"].Value;
    }

    private static void AssertCompiles(string code, string[] implicitUsings)
    {
        Diagnostic[] errors = Compile(code, implicitUsings);
        Assert.True(errors.Length == 0, "The snippet does not compile:\n" + string.Join('\n', errors.Select(e => e.ToString())) + "\n---\n" + code);
    }

    private static Diagnostic[] Compile(string code, string[] implicitUsings)
    {
        string globals = string.Concat(implicitUsings.Select(u => $"global using global::{u};\n"));
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        SyntaxTree[] trees = [CSharpSyntaxTree.ParseText(globals, parse), CSharpSyntaxTree.ParseText(code, parse)];
        var compilation = CSharpCompilation.Create(
            "ReadmeSnippet",
            trees,
            References(),
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        using var pe = new MemoryStream();
        return compilation.Emit(pe).Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
    }

    private static ImmutableArray<MetadataReference> References()
    {
        // Everything this test runs with: the shared frameworks (Microsoft.NETCore.App, Microsoft.AspNetCore.App) and the
        // packages a user would reference (KeyPairAuth.*, EF Core with SQLite, Microsoft.Extensions.Http).
        string tpa = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        return [.. tpa.Split(Path.PathSeparator).Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "KeyPairAuth.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("KeyPairAuth.sln not found above " + AppContext.BaseDirectory);
    }
}
