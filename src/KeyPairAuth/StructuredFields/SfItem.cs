namespace KeyPairAuth.StructuredFields;

/// <summary>A Structured Field item: a bare item with parameters (RFC 9651 §3.3).</summary>
/// <param name="Value">The bare item.</param>
/// <param name="Parameters">The parameters.</param>
public sealed record SfItem(SfBareItem Value, SfParameters Parameters)
{
    /// <summary>Initializes a new instance of the <see cref="SfItem"/> class without parameters.</summary>
    /// <param name="value">The bare item.</param>
    public SfItem(SfBareItem value)
        : this(value, SfParameters.Empty)
    {
    }
}

/// <summary>An inner list: items in parentheses, with parameters of its own (RFC 9651 §3.1.1).</summary>
/// <param name="Items">The items.</param>
/// <param name="Parameters">The list's parameters.</param>
public sealed record SfInnerList(IReadOnlyList<SfItem> Items, SfParameters Parameters);

/// <summary>A member of a List or Dictionary: either an <see cref="SfItem"/> or an <see cref="SfInnerList"/>.</summary>
public sealed class SfMember
{
    /// <summary>Initializes a new instance of the <see cref="SfMember"/> class holding an item.</summary>
    /// <param name="item">The item.</param>
    public SfMember(SfItem item) => Item = item ?? throw new ArgumentNullException(nameof(item));

    /// <summary>Initializes a new instance of the <see cref="SfMember"/> class holding an inner list.</summary>
    /// <param name="innerList">The inner list.</param>
    public SfMember(SfInnerList innerList) => InnerList = innerList ?? throw new ArgumentNullException(nameof(innerList));

    /// <summary>Gets the item, or <see langword="null"/> when the member is an inner list.</summary>
    public SfItem? Item { get; }

    /// <summary>Gets the inner list, or <see langword="null"/> when the member is an item.</summary>
    public SfInnerList? InnerList { get; }

    /// <summary>Gets whether the member is an inner list.</summary>
    public bool IsInnerList => InnerList is not null;

    /// <summary>Gets the member's parameters (the item's or the inner list's).</summary>
    public SfParameters Parameters => Item?.Parameters ?? InnerList!.Parameters;
}

/// <summary>A parsed Dictionary (RFC 9651 §3.2): ordered, unique keys.</summary>
/// <param name="Members">The members in order; keys unique (a later duplicate replaced the earlier value in place).</param>
public sealed record SfDictionary(IReadOnlyList<KeyValuePair<string, SfMember>> Members)
{
    /// <summary>Finds a member by key.</summary>
    /// <param name="key">The key.</param>
    /// <param name="member">The member, when found.</param>
    /// <returns><see langword="true"/> when present.</returns>
    public bool TryGetValue(string key, out SfMember? member)
    {
        foreach (KeyValuePair<string, SfMember> entry in Members)
        {
            if (string.Equals(entry.Key, key, StringComparison.Ordinal))
            {
                member = entry.Value;
                return true;
            }
        }

        member = null;
        return false;
    }
}

/// <summary>A parsed List (RFC 9651 §3.1).</summary>
/// <param name="Members">The members in order.</param>
public sealed record SfList(IReadOnlyList<SfMember> Members);
