using System.ComponentModel.DataAnnotations;
using System.Net;

namespace ServerlessTracker.Http.Listener;

/// <summary>The tracker's own HTTP listener for announces on a new connection each (configuration section <c>Tracker:Listener</c>).</summary>
/// <remarks>
/// Linux only: it calls libc directly. On the self-hosted server it owns the server's ports by default
/// (<see cref="OnServerPorts"/>); it can also listen on a port of its own (<see cref="Port"/>). Never under the Functions host,
/// which forwards requests to the worker's Kestrel.
/// </remarks>
public sealed class TrackerListenerOptions
{
    public const string Section = "Tracker:Listener";


    /// <summary>Whether the listener owns the server's own ports (the URLs Kestrel is given) and hands Kestrel every connection
    /// it does not answer itself: clients that open a connection per announce get the listener's cost on the port they use,
    /// everything else (kept-alive clients, stats, admin, metrics, TLS) is Kestrel's as before. Default: on, on Linux.</summary>
    public bool? OnServerPorts { get; set; }

    /// <summary><see cref="OnServerPorts"/> as it applies here.</summary>
    public bool SharesServerPorts => (OnServerPorts ?? true) && OperatingSystem.IsLinux();

    /// <summary>A port of its own as well (the server's ports are shared anyway, see <see cref="OnServerPorts"/>); 0, the default, for none.</summary>
    [Range(0, 65535)]
    public int Port { get; set; }

    /// <summary>Address to listen on. Default <c>0.0.0.0</c> (every IPv4 address); <c>::</c> listens dual-stack (IPv6 and IPv4).</summary>
    [Required]
    public string Address { get; set; } = "0.0.0.0";

    /// <summary>Threads accepting and answering connections. Default the number of processors, at most 4.</summary>
    [Range(1, 16)]
    public int Threads { get; set; } = Math.Min(Environment.ProcessorCount, 4);

    /// <summary>Seconds the kernel holds a new connection until its first bytes arrive (TCP_DEFER_ACCEPT); 0 switches it off. Default 5.</summary>
    [Range(0, 600)]
    public int DeferAcceptSeconds { get; set; } = 5;

    /// <summary>Seconds a connection has for its whole request head, from accept: one that sends half a head (or nothing past
    /// <see cref="DeferAcceptSeconds"/>) and waits is closed then. Default 1 (clients send a request in one packet).</summary>
    [Range(1, 300)]
    public int HeadTimeoutSeconds { get; set; } = 1;

    /// <summary>Seconds a connection has to take its answer once it is ready (a client that does not read). Default 10.</summary>
    [Range(1, 300)]
    public int AnswerTimeoutSeconds { get; set; } = 10;

    /// <summary>Connections waiting on a slow client at once (a head in pieces, an answer not taken at once); more are closed. Default 1024.</summary>
    [Range(1, 1_000_000)]
    public int MaxSlowConnections { get; set; } = 1024;

    /// <summary>Of those, at most this many from one address (IPv6: one /64), so one client cannot take the others' places;
    /// more from it are closed at once. Default 16 (addresses shared behind a NAT rarely have even one).</summary>
    [Range(1, 1_000_000)]
    public int MaxSlowConnectionsPerAddress { get; set; } = 16;

    /// <summary>Whether <see cref="Address"/> is an IP address.</summary>
    public bool HasValidAddress() => IPAddress.TryParse(Address, out _);
}
