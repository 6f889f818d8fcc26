namespace KeyPairAuth.StructuredFields;

// The parsed shapes below are plain classes, not records: they hold lists, and record equality would compare those
// by reference. Nothing compares parsed fields as wholes; SignatureBase compares identifiers member by member.

/// <summary>A Structured Field item: a bare item with parameters (RFC 9651 §3.3).</summary>
/// <param name="value">The bare item.</param>
/// <param name="parameters">The parameters.</param>
internal sealed class SfItem(SfBareItem value, SfParameters parameters)
{
    /// <summary>Gets the bare item.</summary>
    public SfBareItem Value { get; } = value;

    /// <summary>Gets the parameters.</summary>
    public SfParameters Parameters { get; } = parameters;

    /// <summary>Initializes a new instance of the <see cref="SfItem"/> class without parameters.</summary>
    /// <param name="value">The bare item.</param>
    public SfItem(SfBareItem value)
        : this(value, SfParameters.Empty)
    {
    }
}

/// <summary>An inner list: items in parentheses, with parameters of its own (RFC 9651 §3.1.1).</summary>
/// <param name="items">The items.</param>
/// <param name="parameters">The list's parameters.</param>
internal sealed class SfInnerList(IReadOnlyList<SfItem> items, SfParameters parameters)
{
    /// <summary>Gets the items.</summary>
    public IReadOnlyList<SfItem> Items { get; } = items;

    /// <summary>Gets the list's parameters.</summary>
    public SfParameters Parameters { get; } = parameters;
}

/// <summary>A member of a List or Dictionary: either an <see cref="SfItem"/> or an <see cref="SfInnerList"/>.</summary>
internal sealed class SfMember
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
/// <param name="members">The members in order; keys unique (a later duplicate replaced the earlier value in place).</param>
internal sealed class SfDictionary(IReadOnlyList<KeyValuePair<string, SfMember>> members)
{
    /// <summary>Gets the members in order.</summary>
    public IReadOnlyList<KeyValuePair<string, SfMember>> Members { get; } = members;

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
/// <param name="members">The members in order.</param>
internal sealed class SfList(IReadOnlyList<SfMember> members)
{
    /// <summary>Gets the members in order.</summary>
    public IReadOnlyList<SfMember> Members { get; } = members;
}
