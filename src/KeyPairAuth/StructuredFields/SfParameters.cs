using System.Collections;

namespace KeyPairAuth.StructuredFields;

/// <summary>An ordered map of parameters (RFC 9651 §3.1.2). Keys are unique; order is preserved for serialisation.</summary>
internal sealed class SfParameters : IReadOnlyList<KeyValuePair<string, SfBareItem>>
{
    private readonly KeyValuePair<string, SfBareItem>[] _entries;

    /// <summary>Initializes a new instance of the <see cref="SfParameters"/> class. Later duplicates of a key overwrite the earlier value in place (RFC 9651 §4.2.3.2).</summary>
    /// <param name="entries">The parameters, in order.</param>
    public SfParameters(IEnumerable<KeyValuePair<string, SfBareItem>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var list = new List<KeyValuePair<string, SfBareItem>>();
        Dictionary<string, int>? index = null;
        foreach (KeyValuePair<string, SfBareItem> entry in entries)
        {
            ArgumentNullException.ThrowIfNull(entry.Key, nameof(entries));
            int existing = -1;
            if (index is not null)
            {
                existing = index.TryGetValue(entry.Key, out int i) ? i : -1;
            }
            else
            {
                for (int i = 0; i < list.Count; i++)
                {
                    if (string.Equals(list[i].Key, entry.Key, StringComparison.Ordinal))
                    {
                        existing = i;
                        break;
                    }
                }

                if (existing < 0 && list.Count >= 8)
                {
                    // Past a handful of entries, index the keys so construction stays linear.
                    index = new Dictionary<string, int>(StringComparer.Ordinal);
                    for (int i = 0; i < list.Count; i++)
                    {
                        index.Add(list[i].Key, i);
                    }
                }
            }

            if (existing >= 0)
            {
                list[existing] = entry;
            }
            else
            {
                index?.Add(entry.Key, list.Count);
                list.Add(entry);
            }
        }

        _entries = [.. list];
    }

    private SfParameters(KeyValuePair<string, SfBareItem>[] entries) => _entries = entries;

    /// <summary>Gets an empty parameter set.</summary>
    public static SfParameters Empty { get; } = new([]);

    /// <inheritdoc/>
    public int Count => _entries.Length;

    /// <inheritdoc/>
    public KeyValuePair<string, SfBareItem> this[int index] => _entries[index];

    /// <summary>Finds a parameter by key.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value, when found.</param>
    /// <returns><see langword="true"/> when the key is present.</returns>
    public bool TryGetValue(string key, out SfBareItem value)
    {
        foreach (KeyValuePair<string, SfBareItem> entry in _entries)
        {
            if (string.Equals(entry.Key, key, StringComparison.Ordinal))
            {
                value = entry.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>Gets whether a key is present.</summary>
    /// <param name="key">The key.</param>
    /// <returns><see langword="true"/> when present.</returns>
    public bool ContainsKey(string key) => TryGetValue(key, out _);

    /// <summary>Creates parameters from entries already known to have unique keys (used by the parser).</summary>
    /// <param name="uniqueEntries">The entries; not copied.</param>
    /// <returns>The parameters.</returns>
    internal static SfParameters FromUnique(KeyValuePair<string, SfBareItem>[] uniqueEntries) =>
        uniqueEntries.Length == 0 ? Empty : new SfParameters(uniqueEntries);

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, SfBareItem>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, SfBareItem>>)_entries).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
