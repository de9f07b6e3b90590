namespace ServerlessTracker.Hosting.Settings;

/// <summary>A configuration section an options class reads (<c>Tracker:Swarm</c> → SwarmSettings). Every host registers the
/// sections it binds; <see cref="UnknownSettingsCheck"/> refuses any other key under <c>Tracker:</c> and <c>Relay:</c>.</summary>
public sealed record SettingsSection(string Path, Type Options);
