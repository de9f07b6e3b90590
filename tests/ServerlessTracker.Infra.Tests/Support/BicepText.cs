using System.Text;
using System.Text.RegularExpressions;

namespace ServerlessTracker.Infra.Tests.Support;

/// <summary>Just enough reading of a .bicep file for static checks: comments removed, declarations and literals found by pattern.</summary>
/// <remarks>Not a Bicep parser: it relies on the plain layout our templates keep (one declaration per line, no
/// string interpolation that spans lines). Compiling is WhenCompilingTheBicep's job (the Bicep CLI from NuGet).</remarks>
public sealed partial class BicepText
{
    public BicepText(string relativePath)
    {
        RelativePath = relativePath;
        Text = StripComments(Repository.Read(relativePath));
    }

    public string RelativePath { get; }

    /// <summary>The file without its comments.</summary>
    public string Text { get; }

    public IReadOnlyList<string> Parameters => Names(ParamPattern());

    /// <summary>Parameters declared without a default value: a deployment must supply them.</summary>
    public IReadOnlyList<string> RequiredParameters =>
        ParamPattern().Matches(Text).Where(m => !m.Groups["rest"].Value.Contains('=')).Select(m => m.Groups["name"].Value).ToList();

    public IReadOnlyList<string> Outputs => Names(OutputPattern());

    /// <summary>Paths of modules and compile-time imports, relative to this file.</summary>
    public IReadOnlyList<string> References => ReferencePattern().Matches(Text).Select(m => m.Groups["path"].Value).ToList();

    /// <summary>Resource declarations: type without API version, and whether the declaration is <c>existing</c>.</summary>
    public IReadOnlyList<(string Type, bool Existing, int Index)> Resources =>
        ResourcePattern().Matches(Text).Select(m => (m.Groups["type"].Value, m.Groups["existing"].Success, m.Index)).ToList();

    /// <summary>The text of <c>var name = ...</c> up to the end of its expression.</summary>
    public string Variable(string name)
    {
        var match = Regex.Match(Text, $@"^var {Regex.Escape(name)} =", RegexOptions.Multiline);
        Assert.True(match.Success, $"{RelativePath} declares no var {name}");
        return Expression(match.Index + match.Length);
    }

    /// <summary>The text of a declaration's body starting at <paramref name="start"/>, to where its brackets close at a line end.</summary>
    public string Expression(int start)
    {
        var depth = 0;
        var seen = false;
        var inString = false;
        for (var i = start; i < Text.Length; i++)
        {
            var c = Text[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '\'')
                {
                    inString = false;
                }

                continue;
            }

            switch (c)
            {
                case '\'':
                    inString = true;
                    seen = true;
                    break;
                case '{' or '[' or '(':
                    depth++;
                    seen = true;
                    break;
                case '}' or ']' or ')':
                    depth--;
                    break;
                case '\n' when depth == 0 && seen:
                    return Text[start..i];
                default:
                    seen |= !char.IsWhiteSpace(c);
                    break;
            }
        }

        return Text[start..];
    }

    /// <summary>Setting names in an expression: object keys and quoted names that look like environment variables
    /// (start with a capital letter); <c>${...}</c> in a quoted name becomes <c>{n}</c>.</summary>
    public static IReadOnlyList<string> SettingNames(string expression)
    {
        var names = new List<string>();
        foreach (Match m in SettingKeyPattern().Matches(expression))
        {
            names.Add(m.Groups["name"].Value);
        }

        foreach (Match m in SettingLiteralPattern().Matches(expression))
        {
            names.Add(InterpolationPattern().Replace(m.Groups["name"].Value, "{n}"));
        }

        return names.Distinct().ToList();
    }

    private List<string> Names(Regex pattern) => pattern.Matches(Text).Select(m => m.Groups["name"].Value).ToList();

    /// <summary>Removes // and /* */ comments outside single-quoted strings.</summary>
    private static string StripComments(string source)
    {
        var result = new StringBuilder(source.Length);
        var inString = false;
        for (var i = 0; i < source.Length; i++)
        {
            var c = source[i];
            if (inString)
            {
                result.Append(c);
                if (c == '\\' && i + 1 < source.Length)
                {
                    result.Append(source[++i]);
                }
                else if (c == '\'')
                {
                    inString = false;
                }
            }
            else if (c == '\'')
            {
                inString = true;
                result.Append(c);
            }
            else if (c == '/' && i + 1 < source.Length && source[i + 1] == '/')
            {
                while (i < source.Length && source[i] != '\n')
                {
                    i++;
                }

                result.Append('\n');
            }
            else if (c == '/' && i + 1 < source.Length && source[i + 1] == '*')
            {
                var end = source.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? source.Length : end + 1;
            }
            else
            {
                result.Append(c);
            }
        }

        return result.ToString();
    }

    [GeneratedRegex(@"^param (?<name>\w+) (?<rest>.*)$", RegexOptions.Multiline)]
    private static partial Regex ParamPattern();

    [GeneratedRegex(@"^output (?<name>\w+) ", RegexOptions.Multiline)]
    private static partial Regex OutputPattern();

    [GeneratedRegex(@"^(?:module \w+|import .*? from) '(?<path>[^']+)'", RegexOptions.Multiline)]
    private static partial Regex ReferencePattern();

    [GeneratedRegex(@"^\s*resource \w+ '(?<type>[^@']+)@[^']+'(?<existing> existing)?", RegexOptions.Multiline)]
    private static partial Regex ResourcePattern();

    [GeneratedRegex(@"^\s*(?<name>[A-Z][A-Za-z0-9_]*)\s*:", RegexOptions.Multiline)]
    private static partial Regex SettingKeyPattern();

    [GeneratedRegex(@"'(?<name>[A-Z][A-Za-z0-9_]*__[A-Za-z0-9_]*(?:\$\{[^}]*\})?)'")]
    private static partial Regex SettingLiteralPattern();

    [GeneratedRegex(@"\$\{[^}]*\}")]
    private static partial Regex InterpolationPattern();
}
