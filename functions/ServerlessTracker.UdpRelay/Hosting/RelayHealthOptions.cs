using System.ComponentModel.DataAnnotations;
using System.Net;

namespace ServerlessTracker.UdpRelay.Hosting;

/// <summary>The relay's HTTP side port for health probes (configuration section <c>Relay:Health</c>): <c>/health</c> and
/// <c>/health/ready</c>, as on the other front doors. UDP has no probe a container platform understands; this gives it one.</summary>
/// <remarks>Off by default (<see cref="Port"/> 0): it serves nothing but health, yet it is one more open TCP port.</remarks>
public sealed class RelayHealthOptions : IValidatableObject
{
    public const string Section = "Relay:Health";

    /// <summary>TCP port of the health endpoints; 0 (the default) leaves them off.</summary>
    [Range(0, 65535)]
    public int Port { get; set; }

    /// <summary>Address to listen on. Default <c>0.0.0.0</c> (every IPv4 address: a container's probe comes from outside it);
    /// <c>::</c> listens dual-stack; <c>127.0.0.1</c> keeps it to the machine.</summary>
    [Required]
    public string Address { get; set; } = "0.0.0.0";

    public bool Enabled => Port > 0;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IPAddress.TryParse(Address, out _))
        {
            yield return new ValidationResult($"{Section}:Address: '{Address}' is not an IP address.", [nameof(Address)]);
        }
    }
}
