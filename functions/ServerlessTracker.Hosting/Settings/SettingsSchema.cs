using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace ServerlessTracker.Hosting.Settings;

/// <summary>The configuration keys the options classes read, and the keys a configuration sets that none of them reads.</summary>
/// <remarks>
/// Binding ignores a key no property matches, so a typo (<c>Tracker:Swarm:IntervalSecond</c>) would silently leave the
/// default in force. Keys are matched case-insensitively, as binding does; <c>{n}</c> stands for a list index and <c>{*}</c>
/// for a dictionary key.
/// </remarks>
public static class SettingsSchema
{
    /// <summary>The sections the tracker owns: every key under them must be read by an options class.</summary>
    public static readonly IReadOnlyList<string> Roots = ["Tracker", "Relay"];

    /// <summary>Every key the sections read, as patterns (<c>Tracker:Network:TrustedProxies:{n}</c>), sorted.</summary>
    public static IReadOnlyList<string> KnownKeys(IEnumerable<SettingsSection> sections)
    {
        var keys = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var section in sections)
        {
            AddKeys(section.Path, section.Options, keys, depth: 0);
        }

        return [.. keys];
    }

    /// <summary>Keys set under <see cref="Roots"/> that no section reads, each with the closest known key (null if none is close).</summary>
    public static IReadOnlyList<(string Key, string? Suggestion)> FindUnknown(IConfiguration configuration, IEnumerable<SettingsSection> sections)
    {
        var known = KnownKeys(sections).Select(pattern => pattern.Split(':')).ToList();
        var unknown = new List<(string, string?)>();
        foreach (var root in Roots)
        {
            foreach (var (key, value) in configuration.GetSection(root).AsEnumerable())
            {
                if (value is null || known.Any(pattern => Matches(pattern, key.Split(':'))))
                {
                    continue;
                }

                unknown.Add((key, Closest(key, known)));
            }
        }

        unknown.Sort((a, b) => StringComparer.Ordinal.Compare(a.Item1, b.Item1));
        return unknown;
    }

    /// <summary>The message a start fails with: every unknown key, and what was probably meant.</summary>
    public static string Describe(IReadOnlyList<(string Key, string? Suggestion)> unknown) =>
        "Unknown configuration key(s) under Tracker: or Relay: nothing reads " +
        string.Join("; ", unknown.Select(u => u.Suggestion is null ? $"'{u.Key}'" : $"'{u.Key}' (did you mean '{u.Suggestion}'?)")) +
        ". Remove or correct them (docs/configuration.md lists every key).";

    private static void AddKeys(string prefix, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] Type type, ISet<string> keys, int depth)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || (property.SetMethod?.IsPublic != true && !IsCollection(property.PropertyType)))
            {
                continue;
            }

            AddValue($"{prefix}:{property.Name}", property.PropertyType, keys, depth);
        }
    }

    // A property's type is not annotated, so the trimmer cannot know its members are read here. Options classes are
    // flat (scalars, lists and dictionaries of scalars, whose interfaces a Native AOT binary keeps); the published binary
    // is tested refusing an unknown key.
    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "Options classes are flat; the AOT binary's check is tested.")]
    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "Options classes are flat; the AOT binary's check is tested.")]
    private static void AddValue(string key, Type type, ISet<string> keys, int depth)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (IsScalar(type) || depth > 4)
        {
            keys.Add(key);
        }
        else if (DictionaryValueType(type) is { } valueType)
        {
            AddValue(key + ":{*}", valueType, keys, depth + 1);
        }
        else if (ElementType(type) is { } element)
        {
            AddValue(key + ":{n}", element, keys, depth + 1);
        }
        else
        {
            AddKeys(key, type, keys, depth + 1);
        }
    }

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan) ||
        type == typeof(DateTimeOffset) || type == typeof(DateTime) || type == typeof(Uri) || type == typeof(Guid);

    private static bool IsCollection(Type type) => type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type);

    private static Type? ElementType([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.Interfaces)] Type type) =>
        type.IsArray ? type.GetElementType()
        : IsCollection(type) ? type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0]
        : null;

    private static Type? DictionaryValueType([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.Interfaces)] Type type) =>
        type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>))?.GetGenericArguments()[1];

    private static bool Matches(string[] pattern, string[] key)
    {
        if (pattern.Length != key.Length)
        {
            return false;
        }

        for (var i = 0; i < key.Length; i++)
        {
            var matches = pattern[i] switch
            {
                "{*}" => true,
                "{n}" => key[i].Length > 0 && key[i].All(char.IsAsciiDigit),
                _ => string.Equals(pattern[i], key[i], StringComparison.OrdinalIgnoreCase),
            };
            if (!matches)
            {
                return false;
            }
        }

        return true;
    }

    private static string? Closest(string key, List<string[]> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var pattern in known)
        {
            var candidate = string.Join(':', pattern);
            var distance = Distance(key.ToUpperInvariant(), candidate.ToUpperInvariant());
            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        // Beyond a third of the key's length it is another key, not a typo of one.
        return bestDistance <= Math.Max(2, key.Length / 3) ? best : null;
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
