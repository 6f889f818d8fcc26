using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace KeyPairAuth.AspNetCore.Internal;

/// <summary>
/// Reads typed option values from a configuration section by hand (no reflection, so trimming and NativeAOT are safe),
/// leaving a value unchanged when its key is absent. An unparsable value throws an <see cref="InvalidOperationException"/>
/// naming the full configuration path, which stops the host at start-up.
/// </summary>
internal readonly struct ConfigurationReader(IConfiguration section)
{
    public IConfiguration Section { get; } = section;

    public bool Has(string key) => Section.GetSection(key).Exists();

    public ConfigurationReader Child(string key) => new(Section.GetSection(key));

    public string? String(string key, string? current) =>
        Section[key] is { } value ? (value.Length == 0 ? null : value) : current;

    public bool Bool(string key, bool current) =>
        Parse(key, current, "true or false", static (string s, out bool v) => bool.TryParse(s, out v));

    public int Int32(string key, int current) =>
        Parse(key, current, "a whole number", static (string s, out int v) => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out v));

    public long Int64(string key, long current) =>
        Parse(key, current, "a whole number", static (string s, out long v) => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out v));

    public TimeSpan TimeSpan(string key, TimeSpan current) =>
        Parse(key, current, "a time span such as \"00:05:00\" (hh:mm:ss)", static (string s, out TimeSpan v) => System.TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out v));

    /// <summary>Adds the items of a configuration array (or a single value) to <paramref name="list"/>, skipping ones already in it.</summary>
    public void AddTo(string key, IList<string> list)
    {
        IConfigurationSection child = Section.GetSection(key);
        IEnumerable<string?> values = child.Value is { Length: > 0 } single ? [single] : child.GetChildren().Select(c => c.Value);
        foreach (string? value in values)
        {
            if (!string.IsNullOrEmpty(value) && !list.Contains(value))
            {
                list.Add(value);
            }
        }
    }

    private T Parse<T>(string key, T current, string expected, TryParser<T> tryParse)
    {
        string? value = Section[key];
        if (value is null)
        {
            return current;
        }

        if (tryParse(value.Trim(), out T parsed))
        {
            return parsed;
        }

        string path = Section is IConfigurationSection named ? $"{named.Path}:{key}" : key;
        throw new InvalidOperationException($"The configuration value '{path}' is '{value}', which is not {expected}.");
    }

    private delegate bool TryParser<T>(string text, out T value);
}
