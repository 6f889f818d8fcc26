namespace KeyPairAuth.EntityFrameworkCore;

/// <summary>
/// Converts between the store's <see cref="DateTimeOffset"/>s and the UTC <see cref="DateTime"/>s in the tables.
/// </summary>
/// <remarks>
/// A <see cref="DateTimeOffset"/> column is not portable: SQLite keeps it as text with its offset, which neither
/// orders nor compares as an instant (08:00+05:00 sorts after 06:00+00:00). A UTC <see cref="DateTime"/> is stored
/// by every provider in a form that does. Times are truncated to whole microseconds, the finest precision PostgreSQL
/// keeps, so every provider stores exactly the same value and a comparison in SQL agrees with one in .NET.
/// </remarks>
internal static class StoredTime
{
    public static DateTime ToStored(DateTimeOffset value)
    {
        long ticks = value.UtcTicks;
        return new DateTime(ticks - (ticks % TimeSpan.TicksPerMicrosecond), DateTimeKind.Utc);
    }

    public static DateTime? ToStored(DateTimeOffset? value) => value is { } v ? ToStored(v) : null;

    // SQLite reads text back as Kind Unspecified; the value was written as UTC.
    public static DateTimeOffset FromStored(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    public static DateTimeOffset? FromStored(DateTime? value) => value is { } v ? FromStored(v) : null;
}
