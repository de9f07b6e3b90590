using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ServerlessTracker.Admin;

/// <summary>How a command shows an answer as text: a table of one array property, or the object's fields one per line.</summary>
/// <param name="List">The array to show as a table (null: show the object's fields, and any array of objects as a table after).</param>
/// <param name="Columns">The columns of the table, in order (null: every scalar property of the first row).</param>
/// <param name="Done">What to print for an answer without a body (204).</param>
public sealed record View(string? List = null, string[]? Columns = null, string Done = "done");

/// <summary>Writes answers as JSON (<c>--json</c>) or as aligned text tables.</summary>
public static class Output
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static void Write(TextWriter writer, JsonNode? body, View view, bool json)
    {
        if (body is null)
        {
            writer.WriteLine(view.Done);
            return;
        }

        if (json)
        {
            writer.WriteLine(body.ToJsonString(Indented));
            return;
        }

        if (view.List is not null && body[view.List] is JsonArray rows)
        {
            Table(writer, rows, view.Columns);
            return;
        }

        if (body is not JsonObject obj)
        {
            writer.WriteLine(body.ToJsonString());
            return;
        }

        Fields(writer, obj, "");
    }

    private static void Fields(TextWriter writer, JsonObject obj, string indent)
    {
        var width = obj.Select(p => p.Key.Length).DefaultIfEmpty(0).Max();
        var tables = new List<(string Name, JsonArray Rows)>();
        foreach (var (key, value) in obj)
        {
            switch (value)
            {
                case JsonArray array when array.Count > 0 && array[0] is JsonObject:
                    tables.Add((key, array));
                    break;
                case JsonObject nested:
                    writer.WriteLine($"{indent}{key}:");
                    Fields(writer, nested, indent + "  ");
                    break;
                default:
                    writer.WriteLine($"{indent}{key.PadRight(width)}  {Text(value)}");
                    break;
            }
        }

        foreach (var (name, rows) in tables)
        {
            writer.WriteLine();
            writer.WriteLine($"{indent}{name}:");
            Table(writer, rows, null);
        }
    }

    private static void Table(TextWriter writer, JsonArray rows, string[]? columns)
    {
        if (rows.Count == 0)
        {
            writer.WriteLine("(none)");
            return;
        }

        columns ??= rows[0] is JsonObject first ? [.. first.Where(p => p.Value is not JsonArray and not JsonObject).Select(p => p.Key)] : ["value"];
        var cells = rows.Select(row => columns.Select(c => row is JsonObject o ? Text(o[c]) : Text(row)).ToArray()).ToList();
        var widths = columns.Select((c, i) => Math.Max(c.Length, cells.Max(r => r[i].Length))).ToArray();
        writer.WriteLine(string.Join("  ", columns.Select((c, i) => c.ToUpperInvariant().PadRight(widths[i]))).TrimEnd());
        foreach (var row in cells)
        {
            writer.WriteLine(string.Join("  ", row.Select((v, i) => IsNumber(v) ? v.PadLeft(widths[i]) : v.PadRight(widths[i]))).TrimEnd());
        }
    }

    private static bool IsNumber(string text) => text.Length > 0 && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    private static string Text(JsonNode? value) => value switch
    {
        null => "-",
        JsonValue v when v.TryGetValue(out bool b) => b ? "yes" : "no",
        JsonValue v when v.TryGetValue(out string? s) => s ?? "-",
        _ => value.ToJsonString(),
    };
}
