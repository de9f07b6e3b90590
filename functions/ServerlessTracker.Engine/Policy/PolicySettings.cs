using System.ComponentModel.DataAnnotations;

namespace ServerlessTracker.Engine.Policy;

/// <summary>How operator data held in memory is kept in step with its store (configuration section <c>Tracker:Policy</c>).</summary>
public sealed class PolicySettings : IValidatableObject
{
    public const string Section = "Tracker:Policy";

    /// <summary>Seconds between reads of what changed in the passkey and list stores (changes made on other instances
    /// take this long to apply here). Default 10.</summary>
    [Range(1, 3600)]
    public int RefreshSeconds { get; set; } = 10;

    /// <summary>Seconds between writes of this instance's passkey figures and IP allow-list use to the store. Default 10.</summary>
    [Range(1, 3600)]
    public int FlushSeconds { get; set; } = 10;

    /// <summary>Seconds between full reads of the passkeys and their figures (between them a refresh reads only the store's
    /// journal of changes); a safety net, and it trims the journal. At least <see cref="RefreshSeconds"/>. Default 900.</summary>
    [Range(1, 86400)]
    public int FullRefreshSeconds { get; set; } = 900;

    /// <summary>Seconds a process leases its slot of the region's passkey figures for (renewed at a flush once half has
    /// passed, given back when the process stops); a crashed process's slot is taken over after this long. At least four
    /// maintenance rounds (<see cref="RefreshSeconds"/>, <see cref="FlushSeconds"/>, whichever is shorter). Default 300.</summary>
    [Range(4, 86400)]
    public int FiguresLeaseSeconds { get; set; } = 300;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (FullRefreshSeconds < RefreshSeconds)
        {
            yield return new ValidationResult($"{Section}:FullRefreshSeconds ({FullRefreshSeconds}) must be at least RefreshSeconds ({RefreshSeconds}).", [nameof(FullRefreshSeconds)]);
        }

        if (FiguresLeaseSeconds < 4 * Math.Min(RefreshSeconds, FlushSeconds))
        {
            yield return new ValidationResult(
                $"{Section}:FiguresLeaseSeconds ({FiguresLeaseSeconds}) must be at least four maintenance rounds ({4 * Math.Min(RefreshSeconds, FlushSeconds)} s).",
                [nameof(FiguresLeaseSeconds)]);
        }
    }
}
