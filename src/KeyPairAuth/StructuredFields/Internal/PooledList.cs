using System.Buffers;

namespace KeyPairAuth.StructuredFields.Internal;

/// <summary>A growable scratch list over pooled arrays; the parser copies the result to an exact-size array.</summary>
/// <typeparam name="T">The element type.</typeparam>
internal struct PooledList<T>
{
    private T[]? _items;
    private int _count;

    public readonly int Count => _count;

    public readonly ref T this[int index] => ref _items![index];

    public void Add(T item)
    {
        if (_items is null)
        {
            _items = ArrayPool<T>.Shared.Rent(8);
        }
        else if (_count == _items.Length)
        {
            T[] larger = ArrayPool<T>.Shared.Rent(_items.Length * 2);
            Array.Copy(_items, larger, _count);
            Array.Clear(_items, 0, _count);
            ArrayPool<T>.Shared.Return(_items);
            _items = larger;
        }

        _items[_count++] = item;
    }

    public readonly ReadOnlySpan<T> AsSpan() => _items is null ? default : _items.AsSpan(0, _count);

    public readonly T[] ToArray() => _count == 0 ? [] : _items.AsSpan(0, _count).ToArray();

    public void Dispose()
    {
        if (_items is not null)
        {
            // Clear so the pool does not keep parsed values (which may include signatures) reachable.
            Array.Clear(_items, 0, _count);
            ArrayPool<T>.Shared.Return(_items);
            _items = null;
            _count = 0;
        }
    }
}
