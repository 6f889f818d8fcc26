using System.Text;

namespace KeyPairAuth.StructuredFields;

/// <summary>RFC 9651 §4.1 serialisation: the canonical form used in signature bases (e.g. <c>@signature-params</c>).</summary>
public static class StructuredFieldSerializer
{
    /// <summary>Serialises a Dictionary.</summary>
    /// <param name="dictionary">The dictionary.</param>
    /// <returns>The canonical text.</returns>
    public static string Serialize(SfDictionary dictionary) => throw new NotImplementedException();

    /// <summary>Serialises a List.</summary>
    /// <param name="list">The list.</param>
    /// <returns>The canonical text.</returns>
    public static string Serialize(SfList list) => throw new NotImplementedException();

    /// <summary>Serialises an Item.</summary>
    /// <param name="item">The item.</param>
    /// <returns>The canonical text.</returns>
    public static string Serialize(SfItem item) => throw new NotImplementedException();

    /// <summary>Serialises an inner list with its parameters (the form of <c>@signature-params</c>).</summary>
    /// <param name="innerList">The inner list.</param>
    /// <returns>The canonical text.</returns>
    public static string Serialize(SfInnerList innerList) => throw new NotImplementedException();

    /// <summary>Appends the serialisation of an inner list to <paramref name="builder"/>.</summary>
    /// <param name="innerList">The inner list.</param>
    /// <param name="builder">The destination.</param>
    public static void Append(SfInnerList innerList, StringBuilder builder) => throw new NotImplementedException();

    /// <summary>Appends the serialisation of a bare item with parameters to <paramref name="builder"/>.</summary>
    /// <param name="item">The item.</param>
    /// <param name="builder">The destination.</param>
    public static void Append(SfItem item, StringBuilder builder) => throw new NotImplementedException();
}
