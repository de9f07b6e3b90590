using System.Net;

namespace ServerlessTracker.Admin.Checks;

/// <summary>What a deployment check reads from an announce URL alone: the scrape URL, the passkey, whether it may travel
/// in clear, and where the health probe is.</summary>
public static class TrackerUrl
{
    /// <summary>newTrackon's rule for a listed tracker: an interval of 5 minutes to 3 hours.</summary>
    public const int MinimumInterval = 300;

    public const int MaximumInterval = 3 * 60 * 60;

    /// <summary>Reads an http(s):// or udp:// announce URL; false with a reason for anything else.</summary>
    public static bool TryParse(string text, out Uri url, out string error)
    {
        error = "";
        if (!Uri.TryCreate(text, UriKind.Absolute, out url!) || url.Scheme is not ("http" or "https" or "udp"))
        {
            error = $"{text}: not an http://, https:// or udp:// announce URL";
            return false;
        }

        if (url.Scheme == "udp" && url.IsDefaultPort)
        {
            error = $"{text}: a udp:// URL needs a port (udp://tracker.example.org:6969/announce)";
            return false;
        }

        return true;
    }

    /// <summary>The scrape URL by the BEP 48 convention: the last path segment that starts with <c>announce</c> becomes
    /// <c>scrape</c> (<c>/announce</c>, <c>/announce.php</c>, and this tracker's <c>/announce/{passkey}</c>); null when there is none.</summary>
    public static Uri? ScrapeUrl(Uri announce)
    {
        var segments = announce.AbsolutePath.Split('/');
        for (var i = segments.Length - 1; i >= 0; i--)
        {
            if (segments[i].StartsWith("announce", StringComparison.Ordinal))
            {
                segments[i] = "scrape" + segments[i]["announce".Length..];
                return new UriBuilder(announce) { Path = string.Join('/', segments) }.Uri;
            }
        }

        return null;
    }

    /// <summary>The passkey the URL carries (<c>/announce/{passkey}</c> or <c>?passkey=</c>), or null for an open tracker's URL.</summary>
    public static string? Passkey(Uri announce)
    {
        var segments = announce.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = segments.Length - 2; i >= 0; i--)
        {
            if (segments[i] == "announce")
            {
                return segments[i + 1];
            }
        }

        foreach (var pair in announce.Query.TrimStart('?').Split('&'))
        {
            if (pair.StartsWith("passkey=", StringComparison.Ordinal) && pair.Length > "passkey=".Length)
            {
                return pair["passkey=".Length..];
            }
        }

        return null;
    }

    /// <summary>The URL as it may be printed: a passkey is a password, so only its first four characters are shown.</summary>
    public static string Redacted(Uri announce)
    {
        var text = announce.ToString();
        var passkey = Passkey(announce);
        return passkey is null || passkey.Length <= 4 ? text : text.Replace(passkey, passkey[..4] + "…", StringComparison.Ordinal);
    }

    /// <summary>True for <c>localhost</c> and loopback addresses, where a passkey never leaves the machine.</summary>
    public static bool IsLoopback(Uri url) =>
        url.IsLoopback || (IPAddress.TryParse(url.IdnHost, out var address) && IPAddress.IsLoopback(address));

    /// <summary>The transport check: a passkey (private mode) must travel over https, except to the loopback.</summary>
    public static CheckResult Transport(Uri announce)
    {
        const string name = "https";
        var passkey = Passkey(announce) is not null;
        return announce.Scheme switch
        {
            "https" => CheckResult.Pass(name, passkey ? "passkey sent over https" : "https"),
            _ when !passkey => CheckResult.Skip(name, "plain http, no passkey in the URL (open mode)"),
            _ when IsLoopback(announce) => CheckResult.Pass(name, "passkey over plain http, but only to the loopback"),
            _ => CheckResult.Fail(name, "private mode over plain http: every passkey travels in clear; serve https"),
        };
    }

    /// <summary>The interval check: 5 min to 3 h, and a min interval (when given) no longer than the interval.</summary>
    public static CheckResult Interval(long interval, long? minInterval)
    {
        const string name = "interval";
        var shown = minInterval is { } min ? $"interval {interval} s, min interval {min} s" : $"interval {interval} s";
        if (interval is < MinimumInterval or > MaximumInterval)
        {
            return CheckResult.Fail(name, $"{shown}: outside 300 s to 10800 s (newTrackon lists no tracker outside it)");
        }

        return minInterval > interval
            ? CheckResult.Fail(name, $"{shown}: min interval is longer than the interval")
            : CheckResult.Pass(name, shown);
    }

    /// <summary>The readiness probe at the announce URL's origin.</summary>
    public static Uri HealthUrl(Uri announce) => new(announce.GetLeftPart(UriPartial.Authority) + "/health/ready");
}
