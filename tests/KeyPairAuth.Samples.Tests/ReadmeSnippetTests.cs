using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KeyPairAuth.Samples.Tests;

/// <summary>
/// Every <c>```csharp</c> block in the root README, the package READMEs (<c>src/*/README.md</c>) and <c>docs/*.md</c>
/// compiles as pasted, against the packages built here. A block is a whole file of a <c>dotnet new web</c> project unless
/// the line before it names a context: <c>&lt;!-- snippet: app --&gt;</c>. A context is a short prelude that puts what
/// the block assumes in scope (see <see cref="Contexts"/>); the block's own <c>using</c> directives stay at the top.
/// </summary>
public sealed partial class ReadmeSnippetTests
{
    private const string DefaultContext = "program";

    private static readonly string[] ConsoleUsings =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];

    private static readonly string[] WebUsings =
    [
        .. ConsoleUsings, "System.Net.Http.Json", "Microsoft.AspNetCore.Builder", "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Http", "Microsoft.AspNetCore.Routing", "Microsoft.Extensions.Configuration",
        "Microsoft.Extensions.DependencyInjection", "Microsoft.Extensions.Hosting", "Microsoft.Extensions.Logging",
    ];

    // Types the docs' text says the application writes itself (its DbContext, its own store or replay cache).
    private const string ApplicationTypes = """
        sealed class AppDbContext(Microsoft.EntityFrameworkCore.DbContextOptions<AppDbContext> options) : Microsoft.EntityFrameworkCore.DbContext(options);
        sealed class MyKeyStore : StandInStore;
        sealed class MyReplayCache : KeyPairAuth.Replay.IReplayCache
        {
            public ValueTask<KeyPairAuth.Replay.ReplayCheckResult> TryAddAsync(string keyId, string nonce, DateTimeOffset rememberUntil, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        }
        """;

    // An IPublicKeyStore whose members are never called: the docs show how a store is registered, not written.
    private const string StandInStore = """
        abstract class StandInStore : KeyPairAuth.Stores.IPublicKeyStore
        {
            public ValueTask<KeyPairAuth.Stores.PublicKeyRecord?> FindAsync(string keyId, CancellationToken cancellationToken = default) => throw new NotSupportedException();
            public ValueTask<IReadOnlyList<KeyPairAuth.Stores.PublicKeyRecord>> ListByOwnerAsync(string owner, CancellationToken cancellationToken = default) => throw new NotSupportedException();
            public ValueTask<KeyPairAuth.Stores.PublicKeyAddResult> AddAsync(KeyPairAuth.Stores.PublicKeyRecord record, int maxActiveKeysPerOwner, CancellationToken cancellationToken = default) => throw new NotSupportedException();
            public ValueTask<KeyPairAuth.Stores.PublicKeyRecord?> RevokeAsync(string keyId, DateTimeOffset revokedAt, CancellationToken cancellationToken = default) => throw new NotSupportedException();
            public ValueTask RecordLastUsedAsync(string keyId, DateTimeOffset lastUsedAt, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        }
        """;

    /// <summary>
    /// The named contexts a block may declare. Few on purpose: each says what a reader has at that point of a real app.
    /// </summary>
    private static readonly Dictionary<string, SnippetContext> Contexts = new(StringComparer.Ordinal)
    {
        // A whole file of a `dotnet new web` project (the default) or of a `dotnet new console` project.
        [DefaultContext] = new(WebUsings, string.Empty, string.Empty),
        ["console"] = new(ConsoleUsings, string.Empty, string.Empty),

        // Program.cs before `builder.Build()`: `builder` in scope.
        ["builder"] = new(WebUsings, "var builder = WebApplication.CreateBuilder(args);", ApplicationTypes + StandInStore),

        // Program.cs after `builder.Build()`: `builder` and `app` in scope.
        ["app"] = new(WebUsings, "var builder = WebApplication.CreateBuilder(args);\nvar app = builder.Build();", ApplicationTypes + StandInStore),

        // Library or console code registering services: `services` in scope.
        ["services"] = new(WebUsings, "var services = new ServiceCollection();", ApplicationTypes + StandInStore),

        // Inside DbContext.OnModelCreating: `modelBuilder` in scope.
        ["modelBuilder"] = new([.. WebUsings, "Microsoft.EntityFrameworkCore"], "var modelBuilder = new ModelBuilder();", string.Empty),

        // A file of an xunit test project testing the application's own Redis-backed store.
        ["store-tests"] = new([.. ConsoleUsings, "Xunit"], string.Empty,
            StandInStore + "sealed class RedisKeyStore(StackExchange.Redis.IConnectionMultiplexer redis, string prefix) : StandInStore;"),
    };

    public static TheoryData<string, int> Blocks
    {
        get
        {
            var data = new TheoryData<string, int>();
            foreach (CodeBlock block in FindBlocks())
            {
                data.Add(block.File, block.Line);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void CsharpBlock_CompilesAsPasted(string file, int line)
    {
        CodeBlock block = FindBlocks().Single(b => b.File == file && b.Line == line);
        Assert.True(Contexts.ContainsKey(block.Context), $"{file}:{line}: unknown snippet context '{block.Context}' (known: {string.Join(", ", Contexts.Keys)}).");

        Diagnostic[] errors = Compile(block);

        Assert.True(errors.Length == 0,
            $"The csharp block at {file}:{line} (context '{block.Context}') does not compile:\n" +
            string.Join('\n', errors.Select(e => e.ToString())) + "\n---\n" + block.Code);
    }

    [Fact]
    public void FindBlocks_EveryDocument_FindsTheBlocksOfEachPackageReadmeAndTheRootReadme()
    {
        CodeBlock[] blocks = FindBlocks();

        Assert.True(blocks.Length >= 25, $"Only {blocks.Length} csharp blocks found; the finder is broken.");
        Assert.Contains(blocks, b => b.File == "README.md" && b.Code.Contains("AddKeyPair()", StringComparison.Ordinal));
        Assert.Contains(blocks, b => b.File == "README.md" && b.Code.Contains("AddKeyPairSigning", StringComparison.Ordinal) && b.Context == "console");
        foreach (string readme in Directory.GetFiles(Path.Combine(RepositoryRoot(), "src"), "README.md", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(RepositoryRoot(), readme).Replace('\\', '/');
            if (File.ReadAllText(readme).Contains("```csharp", StringComparison.Ordinal))
            {
                Assert.Contains(blocks, b => b.File == relative);
            }
        }
    }

    [Fact]
    public void Documents_CSharpFences_AreSpelledCsharp()
    {
        // ```cs or ```c# blocks would escape the compile check.
        foreach (string document in Documents())
        {
            string[] lines = File.ReadAllLines(Path.Combine(RepositoryRoot(), document));
            for (int i = 0; i < lines.Length; i++)
            {
                Assert.False(OtherCSharpFence().IsMatch(lines[i]), $"{document}:{i + 1} fences C# as '{lines[i].Trim()}'; use ```csharp so the block is compiled.");
            }
        }
    }

    [Fact]
    public void Compile_BrokenSnippet_ReportsTheErrorAtTheDocumentLine()
    {
        // The check itself can fail: a snippet calling an API that does not exist is reported, at the README's line.
        var block = new CodeBlock("docs/example.md", 40, "app", "using KeyPairAuth.Stores;\n\nbuilder.Services.AddKeyPairNope();\n");

        Diagnostic[] errors = Compile(block);

        Diagnostic error = Assert.Single(errors);
        Assert.Contains("AddKeyPairNope", error.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        FileLinePositionSpan where = error.Location.GetMappedLineSpan();
        Assert.Equal("docs/example.md", where.Path);
        Assert.Equal(43, where.StartLinePosition.Line + 1);
    }

    [Fact]
    public void Compile_PlainTextFencedAsCsharp_DoesNotCompile()
    {
        var block = new CodeBlock("docs/example.md", 1, DefaultContext, "KeyPairSigningOptions.Secret for HttpClient 'orders' is not a valid key.\n");

        Assert.NotEmpty(Compile(block));
    }

    private static Diagnostic[] Compile(CodeBlock block)
    {
        SnippetContext context = Contexts[block.Context];
        string[] lines = block.Code.Split('\n');
        int header = 0;
        while (header < lines.Length && IsHeaderLine(lines[header]))
        {
            header++;
        }

        // #line maps every diagnostic in the block back to the document and its line.
        var source = new StringBuilder();
        source.Append(CultureInfo.InvariantCulture, $"#line {block.Line + 1} \"{block.File}\"\n");
        source.AppendJoin('\n', lines[..header]).Append('\n');
        source.Append("#line 1 \"(prelude)\"\n").Append(context.Before).Append('\n');
        source.Append(CultureInfo.InvariantCulture, $"#line {block.Line + 1 + header} \"{block.File}\"\n");
        source.AppendJoin('\n', lines[header..]).Append('\n');
        source.Append("#line 1 \"(application types)\"\n").Append(context.After).Append('\n');

        string globals = string.Concat(context.Usings.Select(u => $"global using global::{u};\n"));
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        SyntaxTree snippet = CSharpSyntaxTree.ParseText(source.ToString(), parse);
        bool hasStatements = snippet.GetCompilationUnitRoot().Members.OfType<GlobalStatementSyntax>().Any();
        var compilation = CSharpCompilation.Create(
            "ReadmeSnippet",
            [CSharpSyntaxTree.ParseText(globals, parse), snippet],
            References(),
            new CSharpCompilationOptions(
                hasStatements ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable));
        using var pe = new MemoryStream();
        return [.. compilation.Emit(pe).Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)];
    }

    /// <summary>Using directives (and the blank or comment lines between them) that must stay above the prelude.</summary>
    private static bool IsHeaderLine(string line) =>
        line.Length == 0 || line.StartsWith("//", StringComparison.Ordinal) || UsingDirective().IsMatch(line);

    private static CodeBlock[] FindBlocks()
    {
        var blocks = new List<CodeBlock>();
        foreach (string document in Documents())
        {
            string[] lines = File.ReadAllLines(Path.Combine(RepositoryRoot(), document));
            for (int i = 0; i < lines.Length; i++)
            {
                if (lines[i].TrimEnd() != "```csharp")
                {
                    continue;
                }

                int open = i;
                var code = new StringBuilder();
                for (i++; i < lines.Length && !lines[i].StartsWith("```", StringComparison.Ordinal); i++)
                {
                    code.Append(lines[i]).Append('\n');
                }

                Match marker = open > 0 ? SnippetMarker().Match(lines[open - 1]) : Match.Empty;
                string context = marker.Success ? marker.Groups["context"].Value : DefaultContext;
                blocks.Add(new CodeBlock(document, open + 1, context, code.ToString()));
            }
        }

        return [.. blocks];
    }

    private static IEnumerable<string> Documents()
    {
        string root = RepositoryRoot();
        IEnumerable<string> files = [
            Path.Combine(root, "README.md"),
            .. Directory.GetFiles(Path.Combine(root, "src"), "README.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal),
            .. Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Order(StringComparer.Ordinal),
        ];
        return files.Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'));
    }

    private static ImmutableArray<MetadataReference> References()
    {
        // Everything this test runs with: the shared frameworks (Microsoft.NETCore.App, Microsoft.AspNetCore.App) and the
        // packages the docs use (KeyPairAuth.*, EF Core with SQLite and PostgreSQL, Microsoft.Extensions.Http(.Resilience),
        // Microsoft.AspNetCore.OpenApi, StackExchange.Redis, OpenTelemetry, xunit).
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

    [GeneratedRegex(@"^<!--\s*snippet:\s*(?<context>[A-Za-z][A-Za-z-]*)\b[^>]*-->\s*$")]
    private static partial Regex SnippetMarker();

    [GeneratedRegex(@"^using\s+(static\s+)?[A-Za-z_][\w.]*(\s*=\s*[\w.<>, ]+)?\s*;")]
    private static partial Regex UsingDirective();

    [GeneratedRegex(@"^\s*```\s*(cs|c#|C#|CSharp|c-sharp)\s*$")]
    private static partial Regex OtherCSharpFence();

    private sealed record CodeBlock(string File, int Line, string Context, string Code);

    private sealed record SnippetContext(string[] Usings, string Before, string After);
}
