using System.Runtime.CompilerServices;

namespace ServerlessTracker.Fuzz;

/// <summary>The harness's commands. Instrumenting never touches a target type, so no assembly it rewrites is loaded.</summary>
internal static class Cli
{
    public static int Run(string[] args)
    {
        switch (args)
        {
            case ["instrument", var directory]:
                return Instrumentation.Run(directory);
            case ["list"]:
                return List();
            case ["fuzz", var target]:
                return Fuzz(target);
            case ["run", var target, .. var paths] when paths.Length > 0:
                return Replay(target, paths);
            default:
                Console.Error.WriteLine("usage: ServerlessTracker.Fuzz list | instrument DIR | fuzz TARGET | run TARGET FILE|DIR...");
                return 2;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int List()
    {
        foreach (var name in FuzzTargets.Names)
        {
            Console.WriteLine(name);
        }

        return 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Fuzz(string name)
    {
        if (!FuzzTargets.TryGet(name, out var factory))
        {
            Console.Error.WriteLine($"unknown target '{name}'; targets: {string.Join(", ", FuzzTargets.Names)}");
            return 2;
        }

        // AFL hands every input over the same stream; one buffer is reused (inputs are capped by afl-fuzz's -G, 64 KiB here).
        var buffer = new byte[1 << 20];
        FuzzTarget? target = null;
        SharpFuzz.Fuzzer.Run(stream =>
        {
            target ??= factory();
            var length = 0;
            int read;
            while (length < buffer.Length && (read = stream.Read(buffer, length, buffer.Length - length)) > 0)
            {
                length += read;
            }

            target(buffer.AsSpan(0, length));
        });
        return 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Replay(string name, string[] paths)
    {
        if (!FuzzTargets.TryGet(name, out var factory))
        {
            Console.Error.WriteLine($"unknown target '{name}'");
            return 2;
        }

        var target = factory();

        int inputs = 0, failures = 0;
        foreach (var file in paths.SelectMany(p => Directory.Exists(p) ? Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories) : [p]).Order())
        {
            if (Path.GetFileName(file) == "README.txt")
            {
                continue;
            }

            inputs++;
            try
            {
                target(File.ReadAllBytes(file));
            }
            catch (Exception exception)
            {
                failures++;
                Console.Error.WriteLine($"{name}: {file}: {exception}");
            }
        }

        Console.WriteLine($"{name}: {inputs} inputs replayed, {failures} failed");
        return failures == 0 ? 0 : 1;
    }
}
