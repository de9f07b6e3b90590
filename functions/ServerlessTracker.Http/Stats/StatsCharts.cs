using System.Globalization;
using System.Net;
using System.Text;
using ServerlessTracker.Engine.Diagnostics;

namespace ServerlessTracker.Http.Stats;

/// <summary>The stats page's history charts: inline SVG drawn by the server (no script, no library), one polyline per series,
/// the time axis fixed to the last <see cref="HistoryStats.Minutes"/> minutes so a gap shows as a gap.</summary>
/// <remarks>Each chart is an <c>&lt;svg role="img"&gt;</c> with a <c>&lt;title&gt;</c> and an <c>aria-label</c> that say what a
/// screen reader needs (latest and highest values); each line carries <c>data-series</c> and <c>data-points</c> for tests.</remarks>
internal static class StatsCharts
{
    public const string Style = """
        .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(330px, 1fr)); gap: 14px; }
        .chart { background: var(--panel); border: 1px solid var(--line); border-radius: 12px; padding: 12px 14px 8px; }
        .chart h3 { margin: 0 0 4px; font-size: 13px; font-weight: 500; color: var(--dim); text-transform: uppercase; letter-spacing: 1px; }
        .chart svg { display: block; width: 100%; height: auto; }
        .chart .axis { stroke: var(--line); stroke-width: 1; }
        .chart text { fill: var(--dim); font-size: 11px; font-family: system-ui, sans-serif; }
        .chart .key { font-size: 12px; color: var(--dim); } .chart .key b { font-weight: 600; }
        .line { fill: none; stroke-width: 2.5; stroke-linejoin: round; stroke-linecap: round; }
        .line.http { stroke: #39d0d8; } .line.udp { stroke: #ff7b72; } .line.peers { stroke: var(--seed); } .line.swarms { stroke: var(--done); }
        .k-http { color: #39d0d8; } .k-udp { color: #ff7b72; }
        svg.spark { width: 180px; height: 28px; }
        """;

    private const int Width = 360;
    private const int Height = 130;
    private const int Left = 8;
    private const int Right = 352;
    private const int Top = 18;
    private const int Bottom = 108;

    private enum Series
    {
        Http,
        Udp,
        Peers,
        Swarms,
    }

    public static void Render(StringBuilder html, StatsSnapshot stats)
    {
        var history = stats.History;
        var end = StatsHistoryRecorder.Minute(stats.GeneratedAt);
        html.Append("<h2>Last ").Append(history.Minutes).Append(" minutes · ")
            .Append(history.Scope == "region" ? "region " + Encode(stats.Region) : "this instance")
            .Append("</h2><section class=\"charts\" id=\"history\" data-scope=\"").Append(history.Scope)
            .Append("\" data-samples=\"").Append(history.Samples.Count).Append("\">");
        Chart(html, "announces", "Announces/s", history, end, [Series.Http, Series.Udp]);
        Chart(html, "peers", "Peers", history, end, [Series.Peers]);
        Chart(html, "swarms", "Swarms", history, end, [Series.Swarms]);
        html.Append("</section>");

        if (history.Instances.Count > 1)
        {
            html.Append("<h2>Instances</h2><table id=\"instances\"><thead><tr><th>Instance</th><th>Last sample</th>")
                .Append("<th class=\"num\">Announces/s</th><th>Last ").Append(history.Minutes).Append(" minutes</th></tr></thead><tbody>");
            foreach (var instance in history.Instances)
            {
                var latest = instance.Samples.Count > 0 ? instance.Samples[^1] : default;
                html.Append("<tr data-instance=\"").Append(Encode(instance.Instance)).Append("\"><td>").Append(Encode(instance.Instance))
                    .Append(instance.Local ? " <span class=\"pill\">this page</span>" : "").Append("</td><td>")
                    .Append(instance.Samples.Count > 0 ? latest.At.UtcDateTime.ToString("HH:mm 'UTC'", CultureInfo.InvariantCulture) : "—")
                    .Append("</td><td class=\"num\">").Append(Rate(latest.HttpAnnouncesPerSecond + latest.UdpAnnouncesPerSecond)).Append("</td><td>");
                Sparkline(html, instance, history.Minutes, end);
                html.Append("</td></tr>");
            }

            html.Append("</tbody></table>");
        }
    }

    private static void Chart(StringBuilder html, string id, string title, HistoryStats history, DateTimeOffset end, Series[] series)
    {
        var max = 0.0;
        foreach (var sample in history.Samples)
        {
            foreach (var s in series)
            {
                max = Math.Max(max, Value(sample, s));
            }
        }

        var scale = NiceCeiling(max);
        var label = new StringBuilder(title).Append(" over the last ").Append(history.Minutes).Append(" minutes");
        if (history.Samples.Count == 0)
        {
            label.Append(": no samples yet, the first is taken at the end of the current minute");
        }
        else
        {
            foreach (var s in series)
            {
                label.Append("; ").Append(Name(s)).Append(" now ").Append(Format(Value(history.Samples[^1], s), s))
                    .Append(", highest ").Append(Format(Highest(history.Samples, s), s));
            }
        }

        var text = Encode(label.ToString());
        html.Append("<div class=\"chart\"><h3>").Append(Encode(title)).Append("</h3>");
        if (series.Length > 1)
        {
            html.Append("<div class=\"key\">");
            foreach (var s in series)
            {
                html.Append("<b class=\"k-").Append(Key(s)).Append("\">━</b> ").Append(Name(s)).Append(' ')
                    .Append(history.Samples.Count > 0 ? Format(Value(history.Samples[^1], s), s) : "—").Append(" &nbsp; ");
            }

            html.Append("</div>");
        }

        html.Append("<svg id=\"chart-").Append(id).Append("\" role=\"img\" aria-label=\"").Append(text).Append("\" viewBox=\"0 0 ")
            .Append(Width).Append(' ').Append(Height).Append("\" preserveAspectRatio=\"none\"><title>").Append(text).Append("</title>")
            .Append("<line class=\"axis\" x1=\"").Append(Left).Append("\" y1=\"").Append(Bottom).Append("\" x2=\"").Append(Right).Append("\" y2=\"").Append(Bottom).Append("\"/>")
            .Append("<line class=\"axis\" x1=\"").Append(Left).Append("\" y1=\"").Append(Top).Append("\" x2=\"").Append(Right).Append("\" y2=\"").Append(Top)
            .Append("\" stroke-dasharray=\"3 4\"/>")
            .Append("<text x=\"").Append(Left).Append("\" y=\"").Append(Top - 5).Append("\" data-max=\"").Append(Number(scale)).Append("\">max ")
            .Append(Format(scale, series[0])).Append("</text>")
            .Append("<text x=\"").Append(Left).Append("\" y=\"").Append(Bottom + 16).Append("\">").Append(history.Minutes).Append(" min ago</text>")
            .Append("<text x=\"").Append(Right).Append("\" y=\"").Append(Bottom + 16).Append("\" text-anchor=\"end\">now</text>");
        foreach (var s in series)
        {
            Line(html, history.Samples, s, scale, history.Minutes, end, Left, Right, Top, Bottom);
        }

        html.Append("</svg></div>");
    }

    private static void Sparkline(StringBuilder html, InstanceStats instance, int minutes, DateTimeOffset end)
    {
        var max = 0.0;
        foreach (var sample in instance.Samples)
        {
            max = Math.Max(max, sample.HttpAnnouncesPerSecond + sample.UdpAnnouncesPerSecond);
        }

        var summed = new List<HistorySample>(instance.Samples.Count);
        foreach (var sample in instance.Samples)
        {
            summed.Add(sample with { HttpAnnouncesPerSecond = sample.HttpAnnouncesPerSecond + sample.UdpAnnouncesPerSecond });
        }

        var label = Encode("Announces per second of instance " + instance.Instance + " over the last " + minutes + " minutes, highest " + Rate(max));
        html.Append("<svg class=\"spark\" role=\"img\" aria-label=\"").Append(label).Append("\" viewBox=\"0 0 180 28\" preserveAspectRatio=\"none\"><title>")
            .Append(label).Append("</title>");
        Line(html, summed, Series.Http, NiceCeiling(max), minutes, end, 1, 179, 2, 26);
        html.Append("</svg>");
    }

    /// <summary>One series as polylines, split where a minute is missing (an instance that was down draws no line there).</summary>
    private static void Line(StringBuilder html, IReadOnlyList<HistorySample> samples, Series series, double scale, int minutes, DateTimeOffset end,
        int left, int right, int top, int bottom)
    {
        var start = end.AddMinutes(-minutes);
        html.Append("<g data-series=\"").Append(Key(series)).Append("\" data-points=\"").Append(samples.Count).Append("\">");
        var open = false;
        for (var i = 0; i < samples.Count; i++)
        {
            var sample = samples[i];
            if (open && sample.At - samples[i - 1].At > TimeSpan.FromMinutes(1))
            {
                html.Append("\"/>");
                open = false;
            }

            var x = left + ((right - left) * (sample.At - start).TotalMinutes / minutes);
            var y = bottom - ((bottom - top) * Value(sample, series) / scale);
            if (!open)
            {
                // A lone point still shows: a segment of zero length with round caps draws a dot.
                var lone = i + 1 >= samples.Count || samples[i + 1].At - sample.At > TimeSpan.FromMinutes(1);
                html.Append("<polyline class=\"line ").Append(Key(series)).Append("\" points=\"");
                if (lone)
                {
                    html.Append(Coordinate(x)).Append(',').Append(Coordinate(y)).Append(' ');
                }

                open = true;
            }
            else
            {
                html.Append(' ');
            }

            html.Append(Coordinate(x)).Append(',').Append(Coordinate(y));
        }

        if (open)
        {
            html.Append("\"/>");
        }

        html.Append("</g>");
    }

    private static double Value(HistorySample sample, Series series) => series switch
    {
        Series.Http => sample.HttpAnnouncesPerSecond,
        Series.Udp => sample.UdpAnnouncesPerSecond,
        Series.Peers => sample.Peers,
        _ => sample.Swarms,
    };

    private static double Highest(IReadOnlyList<HistorySample> samples, Series series)
    {
        var max = 0.0;
        foreach (var sample in samples)
        {
            max = Math.Max(max, Value(sample, series));
        }

        return max;
    }

    /// <summary>The top of the scale: 1, 2 or 5 times a power of ten at or above the highest value (at least 1).</summary>
    private static double NiceCeiling(double max)
    {
        if (max <= 1)
        {
            return 1;
        }

        var power = Math.Pow(10, Math.Floor(Math.Log10(max)));
        foreach (var step in (ReadOnlySpan<double>)[1, 2, 5, 10])
        {
            if (step * power >= max)
            {
                return step * power;
            }
        }

        return 10 * power;
    }

    private static string Key(Series series) => series switch
    {
        Series.Http => "http",
        Series.Udp => "udp",
        Series.Peers => "peers",
        _ => "swarms",
    };

    private static string Name(Series series) => series switch
    {
        Series.Http => "HTTP",
        Series.Udp => "UDP",
        Series.Peers => "peers",
        _ => "swarms",
    };

    private static string Format(double value, Series series) => series is Series.Http or Series.Udp ? Rate(value) + "/s" : Number(value);

    private static string Number(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Rate(double value) => value.ToString(value >= 100 ? "N0" : "0.##", CultureInfo.InvariantCulture);

    private static string Coordinate(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
