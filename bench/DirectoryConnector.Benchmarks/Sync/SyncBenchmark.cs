using System.Diagnostics;
using System.Globalization;
using System.Text;
using DirectoryConnector.TestSupport.Bitwarden;

namespace DirectoryConnector.Benchmarks.Sync;

/// <summary>
/// End-to-end benchmark against a real slapd: for each size, generates a directory (N users, N/10 groups, ~3 groups
/// per user, ~5% nested), loads it with slapadd into a throwaway slapd on 127.0.0.1, and measures with GNU time:
/// the raw paged ldapsearch of the same entries; `directory-connector test` (read + plan + print); the first full
/// sync; a sync with nothing changed, with a full read and with the incremental read (the slapd runs the syncprov
/// overlay, so RFC 4533 content sync tells that nothing changed); one after changing one user's mail; one after adding
/// a member to one group; and, as the floor, the same entries read with bare System.DirectoryServices.Protocols.
/// Each figure is the median of three runs. The CLI measured is the executable users run: the Dockerfile's publish, or `--cli path` (another build).
/// Syncs post to the loopback Bitwarden stand-in with the cloud's 2000-entry limit, hosted in this process so its CPU
/// is measured apart. Needs slapd, ldap-utils and time (Debian packages; tests/run.sh installs the first two).
/// Run: dotnet run -c Release --project bench/DirectoryConnector.Benchmarks -- sync [--users 10000,50000,200000] [--profile | --profile-only] [--profile-repeat N]
/// (--profile first prints where read + plan spends time and allocations, measured in-process).
/// </summary>
internal static class SyncBenchmark
{
    private const string PhaseRaw = "ldapsearch -E pr=1000 (users + groups)";

    private const string PhaseBare = "bare S.DS.P paged read (same entries, no mapping or plan)";
    private const int Runs = 3;

    public static async Task<int> RunAsync(string[] args)
    {
        var sizes = BenchArguments.Ints(args, "--users", [10_000, 50_000]);
        // The executable users run: the Dockerfile's publish (self-contained, ReadyToRun), or --cli's (another build to
        // compare, e.g. a Native AOT publish).
        var cli = BenchArguments.Value(args, "--cli") ?? (args.Contains("--profile-only") ? "" : await PublishedCli.PublishAsync());
        var results = new List<Measurement>();
        foreach (var users in sizes)
        {
            results.AddRange(await RunSizeAsync(cli, users, args));
        }

        Console.WriteLine();
        Console.WriteLine(Table(results));
        return 0;
    }

    private static async Task<List<Measurement>> RunSizeAsync(string cli, int users, string[] args)
    {
        var work = Directory.CreateTempSubdirectory("dc-bench-").FullName;
        try
        {
            // Served without the syncprov overlay until the incremental phase, so the full reads are not also charged
            // the content-sync refresh a cursor needs.
            await using var slapd = await BenchSlapd.StartAsync(work, users, contentSync: false);
            var (directory, port, url) = (slapd.Directory, slapd.Port, slapd.Url);
            var results = new List<Measurement>();
            BitwardenStandIn? standIn = null;
            string[] manifests = [];
            var state = Path.Combine(work, "state.json");

            // Each figure is the median of three runs (each column on its own).
            async Task Measure(string phase, Func<int, Task<(string Executable, string[] Arguments)>> prepare)
            {
                var runs = new List<Measurement>();
                for (var run = 0; run < Runs; run++)
                {
                    var (executable, arguments) = await prepare(run);
                    runs.Add(await MeasureAsync(users, phase, work, standIn, executable, arguments));
                }

                var median = Measurement.Median(runs);
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"   {phase}: {median.Wall:0.00} s wall, {median.Cpu:0.00} s CPU, {median.PeakRssMiB:0} MiB, {median.Posts} POSTs, {median.BytesPosted} bytes, stand-in {median.StandInCpu:0.00} s CPU (runs: {string.Join(" / ", runs.Select(r => r.Wall.ToString("0.00", CultureInfo.InvariantCulture)))} s)"));
                results.Add(median);
            }

            if (args.Contains("--profile") || args.Contains("--profile-only"))
            {
                // --profile-repeat N: later rounds run with the JIT warm, closer to the ReadyToRun / Native AOT executable.
                for (var round = 1; round <= BenchArguments.Int(args, "--profile-repeat", 1); round++)
                {
                    Console.Error.WriteLine($"   profile round {round} (in-process, read + plan):\n      " + (await ReadProfile.RunAsync(port)).Replace("\n", "\n      ", StringComparison.Ordinal));
                }
            }

            if (args.Contains("--profile-only"))
            {
                return results;
            }

            var bind = new[] { "-x", "-LLL", "-H", url, "-D", BenchDirectory.AdminDn, "-w", BenchDirectory.AdminPassword, "-E", "pr=1000/noprompt" };
            var raw = ("/bin/sh", new[]
            {
                "-c",
                $"ldapsearch {string.Join(' ', bind)} -b ou=People,{BenchDirectory.Suffix} '(objectClass=inetOrgPerson)' mail uid objectClass"
                + $" && ldapsearch {string.Join(' ', bind)} -b ou=Groups,{BenchDirectory.Suffix} '(objectClass=groupOfNames)' cn member",
            });
            await Measure(PhaseRaw, _ => Task.FromResult(raw));
            await Measure(PhaseBare, _ => Task.FromResult(("dotnet", new[] { typeof(SyncBenchmark).Assembly.Location, "bare-read", port.ToString(CultureInfo.InvariantCulture) })));

            // The first sync of each run goes to a new organization with a new state file; the last one's stay.
            await Measure("read + plan (test)", async _ =>
            {
                standIn ??= await BitwardenStandIn.StartAsync(new BitwardenStandInOptions { SelfHosted = false });
                manifests = WriteManifests(work, port, standIn);
                return (cli, ["test", .. manifests]);
            });
            await Measure("first full sync", async run =>
            {
                if (run > 0)
                {
                    await standIn!.DisposeAsync();
                    standIn = await BitwardenStandIn.StartAsync(new BitwardenStandInOptions { SelfHosted = false });
                    manifests = WriteManifests(work, port, standIn);
                }

                File.Delete(state);
                return (cli, ["sync", .. manifests, "--state", state]);
            });

            var synced = await File.ReadAllTextAsync(state);
            await Measure("no-change sync (full read: state without a cursor)", async _ =>
            {
                await File.WriteAllTextAsync(state, WithoutCursor(synced));
                return (cli, ["sync", .. manifests, "--state", state]);
            });

            await Measure("one-user-change sync", async run =>
            {
                var user = users / 2 + run;
                await slapd.ModifyAsync($"dn: {BenchDirectory.UserDn(user)}\nchangetype: modify\nreplace: mail\nmail: renamed.user{user}@bench.example\n");
                return (cli, ["sync", .. manifests, "--state", state]);
            });
            await Measure("one-group-change sync (a member added)", async run =>
            {
                var group = 1 + run;
                await slapd.ModifyAsync($"dn: {BenchDirectory.GroupDn(group)}\nchangetype: modify\nadd: member\nmember: {BenchDirectory.UserDn(directory.UserOutside(group))}\n");
                return (cli, ["sync", .. manifests, "--state", state]);
            });

            // The same database served with the syncprov overlay: one sync records a content-sync cookie, then a sync
            // with nothing changed is answered by the cookie alone. (Until then slapd runs without the overlay, so the
            // full reads above are not also charged the initial content-sync enumeration a cursor needs.)
            await slapd.ServeAsync(contentSync: true);
            await MeasureAsync(users, "cursor", work, standIn, cli, ["sync", .. manifests, "--state", state]);
            string[] incremental = ["sync", .. manifests, "--state", state];
            await Measure("no-change sync (incremental: RFC 4533 content sync)", _ => Task.FromResult((cli, incremental)));
            await standIn!.DisposeAsync();
            return results;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>The state file without its source cursor: the next sync reads in full and compares hashes.</summary>
    private static string WithoutCursor(string stateJson)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(stateJson)!.AsObject();
        node.Remove("sourceCursor");
        return node.ToJsonString();
    }

    /// <summary>Runs the command under GNU time with its output discarded; this process's CPU meanwhile is the stand-in's.</summary>
    internal static async Task<Measurement> MeasureAsync(int users, string phase, string work, BitwardenStandIn? standIn, string executable, string[] arguments)
    {
        var timeFile = Path.Combine(work, "time.txt");
        var errorFile = Path.Combine(work, "stderr.txt");
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        // sh -c '"$@" >/dev/null 2>err' sh /usr/bin/time -f ... -o file cmd args...
        foreach (var argument in (string[])["-c", $"\"$@\" >/dev/null 2>'{errorFile}'", "sh", "/usr/bin/time", "-f", "%e %U %S %M", "-o", timeFile, executable, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        var importsBefore = standIn?.ImportRequests.Count ?? 0;
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        using (var process = Process.Start(start)!)
        {
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{phase} failed with exit code {process.ExitCode}: {await File.ReadAllTextAsync(errorFile)}");
            }
        }

        // What the measured process logged, kept per size and phase (the work folder is deleted).
        var logs = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "dc-bench-logs")).FullName;
        await File.AppendAllTextAsync(Path.Combine(logs, $"{users}-{string.Concat(phase.Where(char.IsAsciiLetterOrDigit))}.log"),
            $"== {DateTimeOffset.UtcNow:O}\n{await File.ReadAllTextAsync(errorFile)}");

        var standInCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        var fields = (await File.ReadAllTextAsync(timeFile)).Trim().Split('\n')[^1].Split(' ');
        var number = (int index) => double.Parse(fields[index], CultureInfo.InvariantCulture);
        var imports = standIn?.ImportRequests.Skip(importsBefore).Where(r => r.StatusCode == 200).ToList() ?? [];
        return new Measurement(users, phase, number(0), number(1) + number(2), number(3) / 1024, imports.Count,
            imports.Sum(r => (long)Encoding.UTF8.GetByteCount(r.Body)), standInCpu);
    }

    private static string Table(List<Measurement> results)
    {
        var table = new StringBuilder();
        table.AppendLine("| users / groups | phase | wall s | CPU s | peak RSS MiB | POSTs | bytes posted | × ldapsearch (wall) | stand-in CPU s (share) |");
        table.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var row in results)
        {
            var raw = results.First(r => r.Users == row.Users && r.Phase == PhaseRaw);
            var share = row.StandInCpu / Math.Max(1e-9, row.StandInCpu + row.Cpu);
            table.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {row.Users:N0} / {row.Users / 10:N0} | {row.Phase} | {row.Wall:0.00} | {row.Cpu:0.00} | {row.PeakRssMiB:0} | {row.Posts} | {row.BytesPosted:N0} | {row.Wall / raw.Wall:0.0} | {row.StandInCpu:0.00} ({share:0%}) |"));
        }

        return table.ToString();
    }

    internal static string[] WriteManifests(string work, int port, BitwardenStandIn standIn)
    {
        var path = Path.Combine(work, "bench.yaml");
        File.WriteAllText(path, standIn.DirectorySyncManifest("bench", "bench", $"""
            ldap:
              hostname: 127.0.0.1
              port: {port}
              encryption: none
              rootPath: {BenchDirectory.Suffix}
              username: {BenchDirectory.AdminDn}
              passwordSecretRef: {"{"}name: ldap-bind, key: password{"}"}
              userPath: ou=People
              groupPath: ou=Groups
            """) + $"""
            ---
            apiVersion: v1
            kind: Secret
            metadata: {"{"}name: ldap-bind, namespace: bench{"}"}
            stringData:
              password: {BenchDirectory.AdminPassword}
            """);
        return ["-f", path];
    }

    /// <summary>The CLI built next to this benchmark (same configuration; the project reference builds it).</summary>
    internal static string CliPath()
    {
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var path = Path.Combine(DirectoryConnector.TestSupport.Repository.Root, "src", "DirectoryConnector.Cli", "bin", configuration, "net10.0", "directory-connector.dll");
        return File.Exists(path) ? path : throw new InvalidOperationException($"{path} is missing: build with dotnet run -c {configuration} --project bench/DirectoryConnector.Benchmarks");
    }
}
