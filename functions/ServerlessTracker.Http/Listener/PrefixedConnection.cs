using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace ServerlessTracker.Http.Listener;

/// <summary>A connection the listener hands to Kestrel after reading its first bytes: Kestrel's pipeline (the fast path,
/// TLS, HTTP) reads those bytes first, then the socket, as if nothing had been read.</summary>
internal sealed class PrefixedConnection(ConnectionContext inner, byte[] prefix) : ConnectionContext
{
    private readonly IDuplexPipe _transport = new DuplexPipe(new PrefixedPipeReader(inner.Transport.Input, prefix), inner.Transport.Output);

    public override string ConnectionId { get => inner.ConnectionId; set => inner.ConnectionId = value; }

    public override IFeatureCollection Features => inner.Features;

    public override IDictionary<object, object?> Items { get => inner.Items; set => inner.Items = value; }

    public override IDuplexPipe Transport { get => _transport; set => throw new NotSupportedException("The transport of a handed-over connection is fixed."); }

    public override EndPoint? LocalEndPoint { get => inner.LocalEndPoint; set => inner.LocalEndPoint = value; }

    public override EndPoint? RemoteEndPoint { get => inner.RemoteEndPoint; set => inner.RemoteEndPoint = value; }

    public override CancellationToken ConnectionClosed { get => inner.ConnectionClosed; set => inner.ConnectionClosed = value; }

    public override void Abort(ConnectionAbortedException abortReason) => inner.Abort(abortReason);

    public override void Abort() => inner.Abort();

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}

/// <summary>Reads <c>prefix</c> before the inner reader. Once the prefix is consumed it only forwards, so a kept-alive
/// connection pays one branch per read for having been handed over.</summary>
/// <remarks>A reader that examined the whole prefix without consuming it (a head or body continued on the wire) gets the rest
/// of the prefix and the next bytes from the wire as one buffer (copied once: it happens at most once per connection).</remarks>
internal sealed class PrefixedPipeReader(PipeReader inner, byte[] prefix) : PipeReader
{
    private ReadOnlyMemory<byte> _prefix = prefix;
    private bool _wantsMore;

    public override bool TryRead(out ReadResult result)
    {
        if (_prefix.IsEmpty)
        {
            return inner.TryRead(out result);
        }

        if (!_wantsMore)
        {
            result = new ReadResult(new ReadOnlySequence<byte>(_prefix), isCanceled: false, isCompleted: false);
            return true;
        }

        result = default;
        return false;
    }

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (_prefix.IsEmpty)
        {
            return inner.ReadAsync(cancellationToken);
        }

        return _wantsMore
            ? ReadMoreAsync(cancellationToken)
            : new(new ReadResult(new ReadOnlySequence<byte>(_prefix), isCanceled: false, isCompleted: false));
    }

    private async ValueTask<ReadResult> ReadMoreAsync(CancellationToken cancellationToken)
    {
        var read = await inner.ReadAsync(cancellationToken).ConfigureAwait(false);
        var merged = new byte[_prefix.Length + read.Buffer.Length];
        _prefix.CopyTo(merged);
        read.Buffer.CopyTo(merged.AsSpan(_prefix.Length));
        inner.AdvanceTo(read.Buffer.End);
        _prefix = merged;
        _wantsMore = false;
        return new ReadResult(new ReadOnlySequence<byte>(_prefix), read.IsCanceled, read.IsCompleted);
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        if (_prefix.IsEmpty)
        {
            inner.AdvanceTo(consumed, examined);
            return;
        }

        var sequence = new ReadOnlySequence<byte>(_prefix);
        var consumedLength = (int)sequence.Slice(0, consumed).Length;
        var examinedLength = (int)sequence.Slice(0, examined).Length;
        _wantsMore = examinedLength == _prefix.Length && consumedLength < _prefix.Length;
        _prefix = _prefix[consumedLength..];
    }

    public override void CancelPendingRead() => inner.CancelPendingRead();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
}
