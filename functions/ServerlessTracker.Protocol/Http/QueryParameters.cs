namespace ServerlessTracker.Protocol.Http;

/// <summary>Splits a raw query string (bytes, leading '?' allowed) into name/value pairs, still percent-encoded.</summary>
public ref struct QueryParameters
{
    private ReadOnlySpan<byte> _remaining;

    public QueryParameters(ReadOnlySpan<byte> query)
    {
        _remaining = !query.IsEmpty && query[0] == (byte)'?' ? query[1..] : query;
        Name = default;
        Value = default;
    }

    public ReadOnlySpan<byte> Name { get; private set; }

    public ReadOnlySpan<byte> Value { get; private set; }

    /// <summary>Advances to the next non-empty parameter; a parameter without '=' has an empty value.</summary>
    public bool MoveNext()
    {
        while (!_remaining.IsEmpty)
        {
            var end = _remaining.IndexOf((byte)'&');
            ReadOnlySpan<byte> pair;
            if (end < 0)
            {
                pair = _remaining;
                _remaining = default;
            }
            else
            {
                pair = _remaining[..end];
                _remaining = _remaining[(end + 1)..];
            }

            if (pair.IsEmpty)
            {
                continue;
            }

            var equals = pair.IndexOf((byte)'=');
            Name = equals < 0 ? pair : pair[..equals];
            Value = equals < 0 ? default : pair[(equals + 1)..];
            return true;
        }

        return false;
    }
}
