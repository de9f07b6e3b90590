using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;

namespace ServerlessTracker.FunctionApp.Tests.Host;

/// <summary>
/// Publishes a worker project the way it is deployed (<c>dotnet publish -c Release</c>) once per test run, into a
/// cache directory under the temp folder that later runs reuse while the inputs are unchanged. The inputs are the
/// project's directory, the directories of its project references (transitively) and the Directory.*.props,
/// global.json and NuGet.config files above them; a file's path, size and modification time count.
/// </summary>
public static class PublishedWorker
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<string>>> Published = new(StringComparer.Ordinal);

    /// <summary>The publish directory of <paramref name="projectPath"/>, built now or taken from the cache.</summary>
    public static Task<string> PublishAsync(string projectPath, CancellationToken cancellationToken = default)
    {
        var project = Path.GetFullPath(projectPath);
        // One publish per project per test run, whoever asks first; the others wait for the same task.
        var publish = Published.GetOrAdd(project, p => new Lazy<Task<string>>(() => Task.Run(() => PublishOrReuseAsync(p))));
        return publish.Value.WaitAsync(cancellationToken);
    }

    private static async Task<string> PublishOrReuseAsync(string project)
    {
        if (!File.Exists(project))
        {
            throw new FileNotFoundException($"No project at '{project}'.", project);
        }

        var cache = Path.Combine(Path.GetTempPath(), "serverlesstracker-workers", Hash(project)[..16]);
        Directory.CreateDirectory(cache);
        var output = Path.Combine(cache, "publish");
        var stampPath = Path.Combine(cache, "inputs.sha256");

        // Another test run (another worktree's, or a parallel test assembly) may publish the same project right now.
        await using var gate = await LockAsync(Path.Combine(cache, ".lock"));
        var stamp = Fingerprint(project);
        if (File.Exists(stampPath) && await File.ReadAllTextAsync(stampPath) == stamp && File.Exists(Path.Combine(output, "worker.config.json")))
        {
            return output;
        }

        if (Directory.Exists(output))
        {
            Directory.Delete(output, recursive: true);
        }

        File.Delete(stampPath);
        await RunPublishAsync(project, output);
        await File.WriteAllTextAsync(stampPath, stamp);
        return output;
    }

    private static async Task RunPublishAsync(string project, string output)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } muxer && File.Exists(muxer) ? muxer : "dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(project)!,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        // --disable-build-servers: no MSBuild node or compiler server outlives the test run.
        // -warnAsMessage:NU1603: the SDK's hidden WorkerExtensions restore takes Microsoft.NETCore.Targets 3.1.0 for
        // 3.0.0, which the feed lacks (functions-worker.md §0.4); harmless, and not ours to fix.
        foreach (var argument in new[] { "publish", project, "-c", "Release", "-o", output, "--nologo", "--disable-build-servers", "-warnAsMessage:NU1603" })
        {
            start.ArgumentList.Add(argument);
        }

        // The test run's own MSBuild settings (set by `dotnet test` for its build) must not steer this build.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";

        using var process = new Process { StartInfo = start };
        var log = new ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { log.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { log.Enqueue(e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet publish {project} took over 10 minutes:\n{string.Join('\n', log.TakeLast(40))}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish {project} failed ({process.ExitCode}):\n{string.Join('\n', log.TakeLast(60))}");
        }
    }

    private static string Fingerprint(string project)
    {
        var files = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var directory in ProjectDirectories(project, new HashSet<string>(StringComparer.Ordinal)))
        {
            foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(directory, file).Replace('\\', '/');
                if (!relative.StartsWith("bin/", StringComparison.Ordinal) && !relative.StartsWith("obj/", StringComparison.Ordinal) &&
                    !relative.Contains("/bin/", StringComparison.Ordinal) && !relative.Contains("/obj/", StringComparison.Ordinal))
                {
                    files.Add(file);
                }
            }

            for (var parent = Directory.GetParent(directory); parent is not null; parent = parent.Parent)
            {
                foreach (var name in new[] { ".editorconfig", "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "global.json", "NuGet.config", "nuget.config" })
                {
                    var candidate = Path.Combine(parent.FullName, name);
                    if (File.Exists(candidate))
                    {
                        files.Add(candidate);
                    }
                }
            }
        }

        var text = new StringBuilder();
        foreach (var file in files)
        {
            var info = new FileInfo(file);
            text.Append(file).Append('|').Append(info.Length.ToString(CultureInfo.InvariantCulture)).Append('|')
                .Append(info.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        return Hash(text.ToString());
    }

    private static IEnumerable<string> ProjectDirectories(string project, HashSet<string> seen)
    {
        if (!seen.Add(project) || !File.Exists(project))
        {
            yield break;
        }

        var directory = Path.GetDirectoryName(project)!;
        yield return directory;
        foreach (var reference in XDocument.Load(project).Descendants().Where(e => e.Name.LocalName == "ProjectReference"))
        {
            if (reference.Attribute("Include")?.Value is { Length: > 0 } include)
            {
                var path = Path.GetFullPath(Path.Combine(directory, include.Replace('\\', Path.DirectorySeparatorChar)));
                foreach (var nested in ProjectDirectories(path, seen))
                {
                    yield return nested;
                }
            }
        }
    }

    private static async Task<FileStream> LockAsync(string path)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (waited.Elapsed < TimeSpan.FromMinutes(15))
            {
                await Task.Delay(250);
            }
        }
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
