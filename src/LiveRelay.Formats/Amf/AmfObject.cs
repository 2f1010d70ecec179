using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace LiveRelay.Formats.Amf;

/// <summary>
/// An AMF 0 anonymous object (marker 0x03) or ECMA array (marker 0x08): named values in
/// insertion order, which is the order they are written in. Names are compared ordinally.
/// </summary>
/// <remarks>
/// Values are plain .NET objects: <see cref="double"/>, <see cref="bool"/>, <see cref="string"/>,
/// <c>null</c>, <see cref="AmfUndefined"/>, <see cref="AmfObject"/>, <see cref="List{T}"/> of
/// <c>object?</c> (strict array) and <see cref="DateTimeOffset"/>. Code that builds an object
/// may also use other numeric types (<see cref="int"/>, <see cref="long"/>...); they are written as numbers.
/// </remarks>
public sealed class AmfObject : IEnumerable<KeyValuePair<string, object?>>
{
    // Small objects (the usual RTMP command object) are searched linearly; a big one
    // (hostile input with thousands of names) gets a dictionary so lookups stay O(1).
    private const int IndexThreshold = 8;

    private readonly List<KeyValuePair<string, object?>> _entries = [];
    private Dictionary<string, int>? _index;

    /// <summary>Creates an empty anonymous object.</summary>
    public AmfObject()
    {
    }

    /// <summary>Creates an empty object, written as an ECMA array when <paramref name="isEcmaArray"/> is true.</summary>
    public AmfObject(bool isEcmaArray)
    {
        IsEcmaArray = isEcmaArray;
    }

    /// <summary>True when the object was read from, or is written as, an ECMA array (marker 0x08).</summary>
    public bool IsEcmaArray { get; }

    /// <summary>Number of named values.</summary>
    public int Count => _entries.Count;

    /// <summary>
    /// The value named <paramref name="key"/>, or null when there is none. Setting replaces the
    /// value in place (keeping its position) or appends a new one.
    /// </summary>
    public object? this[string key]
    {
        get => IndexOf(key) is var i and >= 0 ? _entries[i].Value : null;
        set
        {
            var i = IndexOf(key);
            if (i >= 0)
            {
                _entries[i] = new(key, value);
            }
            else
            {
                Append(key, value);
            }
        }
    }

    /// <summary>Appends a value; throws when the name is already present.</summary>
    public void Add(string key, object? value)
    {
        if (IndexOf(key) >= 0)
        {
            throw new ArgumentException($"The name '{key}' is already present.", nameof(key));
        }

        Append(key, value);
    }

    /// <summary>True when a value with this name is present (even a null one).</summary>
    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    /// <summary>Gets the value named <paramref name="key"/>, which may be null.</summary>
    public bool TryGetValue(string key, out object? value)
    {
        var i = IndexOf(key);
        value = i >= 0 ? _entries[i].Value : null;
        return i >= 0;
    }

    /// <summary>Gets the value named <paramref name="key"/> when it is a string.</summary>
    public bool TryGetString(string key, [NotNullWhen(true)] out string? value)
    {
        value = this[key] as string;
        return value is not null;
    }

    /// <summary>Gets the value named <paramref name="key"/> when it is a number (of any .NET numeric type).</summary>
    public bool TryGetNumber(string key, out double value) => AmfNumber.TryConvert(this[key], out value);

    /// <summary>Gets the value named <paramref name="key"/> when it is a boolean.</summary>
    public bool TryGetBoolean(string key, out bool value)
    {
        if (this[key] is bool b)
        {
            value = b;
            return true;
        }

        value = false;
        return false;
    }

    /// <summary>Enumerates the named values in insertion order, without allocating.</summary>
    public List<KeyValuePair<string, object?>>.Enumerator GetEnumerator() => _entries.GetEnumerator();

    IEnumerator<KeyValuePair<string, object?>> IEnumerable<KeyValuePair<string, object?>>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"{(IsEcmaArray ? "ECMA array" : "object")} ({Count} values)";

    private int IndexOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_index is not null)
        {
            return _index.TryGetValue(key, out var i) ? i : -1;
        }

        for (var i = 0; i < _entries.Count; i++)
        {
            if (string.Equals(_entries[i].Key, key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private void Append(string key, object? value)
    {
        _entries.Add(new(key, value));
        if (_index is not null)
        {
            _index.Add(key, _entries.Count - 1);
        }
        else if (_entries.Count > IndexThreshold)
        {
            _index = new Dictionary<string, int>(_entries.Count * 2, StringComparer.Ordinal);
            for (var i = 0; i < _entries.Count; i++)
            {
                _index.Add(_entries[i].Key, i);
            }
        }
    }
}
