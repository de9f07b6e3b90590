using System.Globalization;
using System.Net;
using System.Text;

namespace ServerlessTracker.Http.Stats;

/// <summary>Renders the stats page: one self-contained HTML document (inline CSS, no script), refreshed by the browser.</summary>
/// <remarks>Every figure carries an <c>id</c> or <c>data-</c> attribute so tests and scrapers can read it without parsing prose.
/// Text that comes from configuration or other components is HTML-encoded.</remarks>
public static class StatsPage
{
    private const string Style = """
        :root { color-scheme: dark; --bg: #0d1117; --panel: #161b22; --line: #30363d; --text: #e6edf3; --dim: #8b949e;
                --seed: #3fb950; --leech: #d29922; --accent: #58a6ff; --done: #bc8cff; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--text);
               background: radial-gradient(1200px 600px at 10% -10%, #1f2a44 0%, var(--bg) 60%); min-height: 100vh; }
        main { max-width: 1180px; margin: 0 auto; padding: 32px 24px 48px; }
        header { display: flex; align-items: baseline; justify-content: space-between; flex-wrap: wrap; gap: 8px; }
        h1 { margin: 0; font-size: 28px; letter-spacing: -0.5px; }
        h1 .logo { color: var(--accent); }
        h2 { font-size: 16px; text-transform: uppercase; letter-spacing: 1.5px; color: var(--dim); margin: 36px 0 12px; }
        .sub { color: var(--dim); }
        .pill { display: inline-block; padding: 2px 10px; border-radius: 999px; border: 1px solid var(--line); background: var(--panel);
                font-size: 13px; margin-left: 6px; }
        .pill.private { border-color: #8957e5; color: #d2a8ff; }
        .pill.open { border-color: #238636; color: #7ee787; }
        .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(165px, 1fr)); gap: 14px; margin-top: 24px; }
        .card { background: linear-gradient(180deg, #1b2230, var(--panel)); border: 1px solid var(--line); border-radius: 14px; padding: 16px 18px; }
        .card .label { display: block; color: var(--dim); font-size: 13px; text-transform: uppercase; letter-spacing: 1px; }
        .card .value { display: block; font-size: 32px; font-weight: 650; font-variant-numeric: tabular-nums; margin-top: 4px; }
        .card .unit { color: var(--dim); font-size: 13px; }
        .seed { color: var(--seed); } .leech { color: var(--leech); } .done { color: var(--done); } .rate { color: var(--accent); }
        table { width: 100%; border-collapse: collapse; background: var(--panel); border: 1px solid var(--line); border-radius: 12px; overflow: hidden; }
        th, td { padding: 9px 14px; text-align: left; border-bottom: 1px solid var(--line); }
        th { color: var(--dim); font-weight: 500; font-size: 13px; text-transform: uppercase; letter-spacing: 1px; background: #11161d; }
        tr:last-child td { border-bottom: 0; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        td.hash { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; }
        .bar { display: flex; height: 8px; width: 160px; border-radius: 4px; overflow: hidden; background: #21262d; }
        .bar span { display: block; height: 100%; }
        .bar .s { background: var(--seed); } .bar .l { background: var(--leech); }
        .empty { color: var(--dim); padding: 18px; text-align: center; }
        footer { margin-top: 36px; color: var(--dim); font-size: 13px; }
        a { color: var(--accent); }
        """;

    public static string Render(StatsSnapshot stats, int refreshSeconds)
    {
        var html = new StringBuilder(8192);
        var busiestPeers = 1L;
        foreach (var swarm in stats.Busiest)
        {
            busiestPeers = Math.Max(busiestPeers, swarm.Seeders + swarm.Leechers);
        }

        html.Append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<meta http-equiv=\"refresh\" content=\"").Append(Math.Max(refreshSeconds, 5)).Append("\">")
            .Append("<title>ServerlessTracker — stats</title><style>").Append(Style).Append(StatsCharts.Style).Append("</style></head><body><main>");

        html.Append("<header><h1><span class=\"logo\">◆</span> ServerlessTracker</h1><div class=\"sub\">region <b id=\"region\">")
            .Append(Encode(stats.Region)).Append("</b><span class=\"pill ").Append(stats.Mode).Append("\" id=\"mode\">")
            .Append(stats.Mode).Append(" tracker</span><span class=\"pill\" id=\"store\">").Append(Encode(stats.Store))
            .Append("</span></div></header>");

        html.Append("<section class=\"cards\">");
        Card(html, "torrents", "Torrents", Number(stats.Totals.Torrents), "");
        Card(html, "seeders", "Seeders", Number(stats.Totals.Seeders), "seed");
        Card(html, "leechers", "Leechers", Number(stats.Totals.Leechers), "leech");
        Card(html, "completed", "Completed", Number(stats.Totals.Completed), "done");
        foreach (var protocol in stats.Protocols)
        {
            Card(html, "announces-" + protocol.Name, "Announces/s · " + protocol.Name.ToUpperInvariant(), Rate(protocol.AnnouncesPerSecond), "rate",
                Number(protocol.Announces) + " since start");
        }

        if (stats.Passkeys is { } passkeys)
        {
            Card(html, "passkeys", "Passkeys", Number(passkeys), "");
        }

        html.Append("</section>");
        StatsCharts.Render(html, stats);

        html.Append("<h2>Regions</h2><table id=\"regions\"><thead><tr><th>Region</th><th>Role</th><th class=\"num\">Sync lag</th><th>Last event</th></tr></thead><tbody>");
        foreach (var region in stats.Regions)
        {
            html.Append("<tr data-region=\"").Append(Encode(region.Name)).Append("\"><td>").Append(Encode(region.Name)).Append("</td><td>")
                .Append(region.Local ? "this region" : "remote").Append("</td><td class=\"num\">")
                .Append(region.LagSeconds is { } lag ? lag.ToString("0.0", CultureInfo.InvariantCulture) + " s" : "—").Append("</td><td>")
                .Append(region.LastEventAt is { } at ? at.UtcDateTime.ToString("HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) : "—").Append("</td></tr>");
        }

        html.Append("</tbody></table>");

        html.Append("<h2>Busiest swarms</h2><table id=\"busiest\"><thead><tr><th class=\"num\">#</th><th>Info-hash</th>")
            .Append("<th class=\"num\">Seeders</th><th class=\"num\">Leechers</th><th class=\"num\">Completed</th><th>Peers</th></tr></thead><tbody>");
        if (stats.Busiest.Count == 0)
        {
            html.Append("<tr><td colspan=\"6\" class=\"empty\">No swarms yet: announce a torrent to see it here.</td></tr>");
        }

        for (var i = 0; i < stats.Busiest.Count; i++)
        {
            var swarm = stats.Busiest[i];
            var seedWidth = 100.0 * swarm.Seeders / busiestPeers;
            var leechWidth = 100.0 * swarm.Leechers / busiestPeers;
            html.Append("<tr data-infohash=\"").Append(swarm.InfoHash).Append("\"><td class=\"num\">").Append(i + 1)
                .Append("</td><td class=\"hash\">").Append(swarm.InfoHash)
                .Append("</td><td class=\"num seed\">").Append(Number(swarm.Seeders))
                .Append("</td><td class=\"num leech\">").Append(Number(swarm.Leechers))
                .Append("</td><td class=\"num done\">").Append(Number(swarm.Completed))
                .Append("</td><td><div class=\"bar\"><span class=\"s\" style=\"width:").Append(Percent(seedWidth))
                .Append("%\"></span><span class=\"l\" style=\"width:").Append(Percent(leechWidth)).Append("%\"></span></div></td></tr>");
        }

        html.Append("</tbody></table>");

        html.Append("<footer>Updated <time id=\"generated\" datetime=\"").Append(stats.GeneratedAt.ToString("O", CultureInfo.InvariantCulture)).Append("\">")
            .Append(stats.GeneratedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture))
            .Append("</time> · rates over the last ").Append(stats.WindowSeconds.ToString("0.#", CultureInfo.InvariantCulture))
            .Append(" s, requests seen by this instance · failures ").Append(Rate(stats.FailuresPerSecond))
            .Append("/s · up ").Append(Uptime(stats.UptimeSeconds)).Append(" · ");
        if (stats.FullScrape is { AgeSeconds: { } age, Swarms: { } swarms } fullScrape)
        {
            html.Append("full scrape <span id=\"full-scrape\" data-source=\"").Append(fullScrape.Source).Append("\" data-age-seconds=\"")
                .Append(age.ToString("0", CultureInfo.InvariantCulture)).Append("\">").Append(fullScrape.Source == "blob" ? "published " : "built here ")
                .Append(Uptime(age)).Append(" ago, ").Append(Number(swarms)).Append(" swarms</span> · ");
        }
        else
        {
            html.Append("full scrape <span id=\"full-scrape\" data-source=\"").Append(stats.FullScrape?.Source ?? "off").Append("\">")
                .Append(stats.FullScrape is null ? "off" : "built here on demand, none yet").Append("</span> · ");
        }

        html.Append("the same figures as <a href=\"stats.json\">JSON</a></footer>");
        html.Append("</main></body></html>\n");
        return html.ToString();
    }

    private static void Card(StringBuilder html, string id, string label, string value, string tone, string? note = null)
    {
        html.Append("<div class=\"card\"><span class=\"label\">").Append(Encode(label)).Append("</span><span class=\"value ").Append(tone)
            .Append("\" id=\"").Append(id).Append("\">").Append(value).Append("</span>");
        if (note is not null)
        {
            html.Append("<span class=\"unit\">").Append(Encode(note)).Append("</span>");
        }

        html.Append("</div>");
    }

    private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Rate(double value) => value.ToString(value >= 100 ? "N0" : "0.##", CultureInfo.InvariantCulture);

    private static string Percent(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static string Uptime(double seconds)
    {
        var span = TimeSpan.FromSeconds(seconds);
        return span.TotalDays >= 1 ? $"{(int)span.TotalDays} d {span.Hours} h" : span.TotalHours >= 1 ? $"{span.Hours} h {span.Minutes} min" : $"{span.Minutes} min {span.Seconds} s";
    }
}
