using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace KeyPairAuth.AspNetCore.Tests.Infrastructure;

/// <summary>Every secret (seed encodings) and signature value produced during the suite, to check the logs never contain one.</summary>
internal static class Secrets
{
    private static readonly ConcurrentDictionary<string, byte> Values = new(StringComparer.Ordinal);

    public static IEnumerable<string> All => Values.Keys;

    public static void Register(string value)
    {
        if (value.Length >= 16)
        {
            Values.TryAdd(value, 0);
        }
    }

    /// <summary>Registers the base64 payload of each member of a <c>Signature</c> field.</summary>
    public static void RegisterSignatureField(string field)
    {
        foreach (string part in field.Split(':'))
        {
            if (part.Length >= 80)
            {
                Register(part);
            }
        }
    }
}

/// <summary>Captures every log message (with exceptions) of every test app in the suite.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    public static readonly ConcurrentQueue<string> Messages = new();

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName);

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            string structured = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(";", pairs.Select(p => $"{p.Key}={p.Value}"))
                : string.Empty;
            Messages.Enqueue($"{logLevel} {category} [{eventId.Id}:{eventId.Name}] {formatter(state, exception)} {structured} {exception}");
        }
    }
}
