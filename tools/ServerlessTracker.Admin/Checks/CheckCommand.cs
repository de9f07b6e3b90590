using System.CommandLine;
using System.Net;
using System.Net.Http;

namespace ServerlessTracker.Admin.Checks;

/// <summary><c>st-admin check &lt;url&gt;...</c>: what a newly deployed tracker looks like to a client, one line per check.</summary>
/// <remarks>Exit codes: 0 every check passed or was skipped; 1 a check failed; 2 usage error (a URL that is not
/// http://, https:// or udp://). Needs no admin token: it uses only what any client may send.</remarks>
public static class CheckCommand
{
    /// <summary>How long each request may take: a tracker slower than this fails its clients too.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public static Command Build(HttpMessageHandler? handler)
    {
        var urls = new Argument<string[]>("url")
        {
            Description = "Announce URLs: https://host/announce, https://host/announce/<passkey>, udp://host:6969/announce",
            Arity = ArgumentArity.OneOrMore,
        };
        urls.Validators.Add(result =>
        {
            foreach (var text in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (!TrackerUrl.TryParse(text, out _, out var error))
                {
                    result.AddError(error);
                }
            }
        });
        var command = new Command("check", "Check a deployment as a client meets it: announce, scrape, external ip, forged headers, https, interval, health. Sends only what any client may send (no token; --url is not used). Exit 1 if any check fails")
        {
            Arguments = { urls },
        };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(urls)!, parse.InvocationConfiguration.Output, handler, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string[] urls, TextWriter output, HttpMessageHandler? handler, CancellationToken cancellationToken)
    {
        using var http = handler is null
            ? new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None, ConnectTimeout = Timeout })
            : new HttpClient(handler, disposeHandler: false);
        http.Timeout = Timeout;
        var failed = 0;
        var passed = 0;
        var skipped = 0;
        foreach (var text in urls)
        {
            if (!TrackerUrl.TryParse(text, out var url, out var error))
            {
                // The argument's validator refused it already; this keeps the loop honest if it is ever called directly.
                await output.WriteLineAsync(error);
                return 2;
            }

            await output.WriteLineAsync(TrackerUrl.Redacted(url));
            var results = url.Scheme == "udp"
                ? await new UdpTrackerCheck(Timeout).RunAsync(url, cancellationToken)
                : await new HttpTrackerCheck(http).RunAsync(url, cancellationToken);
            foreach (var result in results)
            {
                await output.WriteLineAsync(result.ToString());
                _ = result.Verdict switch
                {
                    Verdict.Pass => passed++,
                    Verdict.Fail => failed++,
                    _ => skipped++,
                };
            }
        }

        await output.WriteLineAsync($"{passed} passed, {failed} failed, {skipped} skipped");
        return failed > 0 ? 1 : 0;
    }
}
