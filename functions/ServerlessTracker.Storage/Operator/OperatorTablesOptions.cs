using System.ComponentModel.DataAnnotations;

namespace ServerlessTracker.Storage.Operator;

/// <summary>The tables holding operator data (configuration section <c>Tracker:Tables</c>, beside the swarm tables' settings).</summary>
public sealed class OperatorTablesOptions
{
    /// <summary>Passkeys and their per-instance figures. Default <c>passkeys</c>.</summary>
    [Required, RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    public string PasskeysTable { get; set; } = "passkeys";

    /// <summary>The info-hash and client allow and deny lists and the IP allow-list. Default <c>accesslists</c>.</summary>
    [Required, RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    public string AccessListsTable { get; set; } = "accesslists";
}
