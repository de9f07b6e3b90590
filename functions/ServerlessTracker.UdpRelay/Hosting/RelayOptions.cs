using System.ComponentModel.DataAnnotations;
using System.Net;
using ServerlessTracker.Protocol.Udp;

namespace ServerlessTracker.UdpRelay.Hosting;

/// <summary>The relay's sockets, loops and connection ids (configuration section <c>Relay</c>; env <c>Relay__Key</c>).</summary>
public sealed class RelayOptions : IValidatableObject
{
    public const string Section = "Relay";

    /// <summary>Fewest bytes of a configured <see cref="ConnectionIdKey"/> (after base64 decoding).</summary>
    public const int MinConnectionIdKeyBytes = 32;

    /// <summary>UDP port to listen on; default 6969. 0 picks a free port per address (tests).</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 6969;

    /// <summary>Comma-separated local addresses to bind, one socket each; default <c>0.0.0.0,::</c> (all IPv4 and all IPv6).</summary>
    /// <remarks>An IPv6 socket is IPv6-only, so IPv4 clients always arrive on the IPv4 socket and get 6-byte peers.</remarks>
    [Required]
    public string Addresses { get; set; } = "0.0.0.0,::";

    /// <summary>Receive loops (threads) per socket; default 0 = one per processor.</summary>
    [Range(0, 256)]
    public int ReceiveLoops { get; set; }

    /// <summary>Datagrams taken and answered per system call on Linux (recvmmsg/sendmmsg); default 32, 1 = one at a time (ReceiveFrom/SendTo).</summary>
    [Range(1, 1024)]
    public int BatchSize { get; set; } = 32;

    /// <summary>Base64 key (<see cref="MinConnectionIdKeyBytes"/> bytes or more) for connection ids; give every instance the same
    /// one. Default: random at start.</summary>
    /// <remarks>A secret: set it from the environment (<c>Relay__ConnectionIdKey</c>) or a secret store, never in a file.</remarks>
    public string? ConnectionIdKey { get; set; }

    /// <summary>Seconds a connection id stays valid past its two 120-second slots; default 60 (ids live 3 to 4 minutes), at most 180.</summary>
    [Range(0, ConnectionIds.MaxGraceSeconds)]
    public int ConnectionIdGraceSeconds { get; set; } = 60;

    /// <summary>Requests per socket that may wait on a slow store at once before its loops stop reading; default 1024.</summary>
    [Range(1, 1 << 20)]
    public int MaxPendingRequests { get; set; } = 1024;

    /// <summary>Minutes of UDP announce history the relay shares with its region's stats page when on Table Storage (one row
    /// upsert a minute); 0 = not shared. Default 60; match <c>Tracker:Stats:HistoryMinutes</c> of the function app.</summary>
    [Range(0, 1440)]
    public int HistoryMinutes { get; set; } = 60;

    public int EffectiveReceiveLoops => ReceiveLoops > 0 ? ReceiveLoops : Environment.ProcessorCount;

    public IReadOnlyList<IPAddress> ParseAddresses()
    {
        var list = new List<IPAddress>();
        foreach (var part in Addresses.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            list.Add(IPAddress.Parse(part.Trim('[', ']')));
        }

        return list;
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var parts = Addresses.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0)
        {
            yield return new ValidationResult("Relay:Addresses lists no address.", [nameof(Addresses)]);
        }

        foreach (var part in parts)
        {
            if (!IPAddress.TryParse(part.Trim('[', ']'), out _))
            {
                yield return new ValidationResult($"Relay:Addresses: '{part}' is not an IP address.", [nameof(Addresses)]);
            }
        }

        if (!string.IsNullOrEmpty(ConnectionIdKey))
        {
            var key = new byte[ConnectionIdKey.Length];
            if (!Convert.TryFromBase64String(ConnectionIdKey, key, out var length) || length < MinConnectionIdKeyBytes)
            {
                yield return new ValidationResult(
                    $"Relay:ConnectionIdKey must be base64 of at least {MinConnectionIdKeyBytes} bytes (for example openssl rand -base64 32).", [nameof(ConnectionIdKey)]);
            }
        }
    }
}
