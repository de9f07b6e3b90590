using System.Diagnostics;
using System.Text.Json.Nodes;
using ServerlessTracker.Admin;

namespace ServerlessTracker.Admin.Tests;

/// <summary>Runs st-admin in process, as a user would type it, and captures what it prints.</summary>
public sealed class Cli(Uri url, string? token, Dictionary<string, string>? environment = null)
{
    public sealed record Run(int ExitCode, string Output, string Error)
    {
        public JsonNode Json => JsonNode.Parse(Output) ?? throw new InvalidOperationException("no JSON printed");
    }

    public Task<Run> RunAsync(params string[] args) => RunAsync(args, null);

    /// <summary>Runs with <paramref name="handler"/> in place of the network (a stand-in tracker).</summary>
    public async Task<Run> RunAsync(string[] args, HttpMessageHandler? handler)
    {
        var all = new List<string>(args);
        if (environment is null)
        {
            // Before a "--": after it every token is an argument.
            var at = all.IndexOf("--") is var separator and >= 0 ? separator : all.Count;
            all.InsertRange(at, token is null ? ["--url", url.ToString()] : ["--url", url.ToString(), "--token", token]);
        }

        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await AdminCli.RunAsync([.. all], output, error, name => environment?.GetValueOrDefault(name), handler);
        return new Run(exit, output.ToString(), error.ToString());
    }

    /// <summary>Runs the built executable (<c>dotnet st-admin.dll</c>) with the given environment.</summary>
    public static async Task<Run> RunExecutableAsync(IDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "st-admin.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return new Run(process.ExitCode, await output, await error);
    }
}
