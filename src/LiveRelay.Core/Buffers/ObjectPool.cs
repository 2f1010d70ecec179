namespace LiveRelay.Core.Buffers;

/// <summary>
/// A small bounded, lock-free pool of reusable objects (the shape of
/// Microsoft.Extensions.ObjectPool's DefaultObjectPool: one fast slot plus an array scanned
/// with compare-exchange). When empty, <see cref="Rent"/> returns null and the caller allocates;
/// when full, returned objects are left to the GC.
/// </summary>
internal sealed class ObjectPool<T>(int capacity)
    where T : class
{
    private readonly T?[] _items = new T?[Math.Max(capacity - 1, 0)];
    private T? _fast;

    public T? Rent()
    {
        var item = _fast;
        if (item is not null && Interlocked.CompareExchange(ref _fast, null, item) == item)
        {
            return item;
        }

        var items = _items;
        for (var i = 0; i < items.Length; i++)
        {
            item = items[i];
            if (item is not null && Interlocked.CompareExchange(ref items[i], null, item) == item)
            {
                return item;
            }
        }

        return null;
    }

    public void Return(T item)
    {
        if (_fast is null && Interlocked.CompareExchange(ref _fast, item, null) is null)
        {
            return;
        }

        var items = _items;
        for (var i = 0; i < items.Length; i++)
        {
            if (items[i] is null && Interlocked.CompareExchange(ref items[i], item, null) is null)
            {
                return;
            }
        }
    }
}
