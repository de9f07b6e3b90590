using System.Net;
using System.Net.Sockets;

namespace ServerlessTracker.Tests.Shared;

/// <summary>A storage endpoint that accepts connections and never answers: a tracker on it stays in its start (creating
/// tables) for as long as a test needs, which lets a test stop it there.</summary>
public sealed class SilentStorage : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<Socket> _held = [];

    public SilentStorage() => _listener.Start();

    /// <summary>Tracker settings that put every table on this endpoint.</summary>
    public Dictionary<string, string?> TrackerTables() => new()
    {
        ["Tracker:Tables:ConnectionString"] = AzuriteServer.TablesAt(((IPEndPoint)_listener.LocalEndpoint).Port),
    };

    /// <summary>Waits for the tracker's first request (it is then inside its start) and holds the connection open.</summary>
    public async Task WaitForConnectionAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var socket = await _listener.AcceptSocketAsync(cancel.Token);
        lock (_held)
        {
            _held.Add(socket);
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        lock (_held)
        {
            _held.ForEach(s => s.Dispose());
        }
    }
}
