using System.Diagnostics.CodeAnalysis;

namespace ServerlessTracker.Hosting.Settings;

/// <summary>A configuration section an options class reads (<c>Tracker:Swarm</c> → SwarmSettings). Every host registers the
/// sections it binds; <see cref="UnknownSettingsCheck"/> refuses any other key under <c>Tracker:</c> and <c>Relay:</c>.</summary>
public sealed record SettingsSection(string Path, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] Type Options)
{
    /// <summary>The options class; its public properties are the section's keys (kept in a Native AOT binary).</summary>
    [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)]
    public Type Options { get; } = Options;
}
