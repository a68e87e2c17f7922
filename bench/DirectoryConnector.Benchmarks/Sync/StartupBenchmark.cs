using System.Globalization;
using System.Text;
using DirectoryConnector.TestSupport.Bitwarden;

namespace DirectoryConnector.Benchmarks.Sync;

/// <summary>
/// The CLI's start-up on its fastest path (issue "Performance": nothing changed, ≤ 0.3 s with an incremental read):
/// the published executable (the Dockerfile's publish) running a sync whose RFC 4533 content-sync cookie proves that
/// nothing changed, against a slapd with the syncprov overlay, next to the bare process start (<c>--version</c>) and
/// the framework-dependent build <c>dotnet run</c> uses. Medians of <c>--runs</c> runs (5), GNU time.
/// Run: dotnet run -c Release --project bench/DirectoryConnector.Benchmarks -- startup [--users 50000] [--runs 5] [--hold] [--cli path]
/// (--hold keeps slapd and the stand-in up and writes the measured command to a script, for profiling by hand,
/// until the printed file is deleted).
/// </summary>
internal static class StartupBenchmark
{
    private const string PhaseIncremental = "no-change sync (incremental: RFC 4533 content sync)";

    public static async Task<int> RunAsync(string[] args)
    {
        var users = BenchArguments.Int(args, "--users", 50_000);
        var runs = BenchArguments.Int(args, "--runs", 5);
        // The Dockerfile's publish, or --cli's executable (another build to compare).
        var cli = BenchArguments.Value(args, "--cli") ?? await PublishedCli.PublishAsync();
        var frameworkDependent = SyncBenchmark.CliPath();
        var work = Directory.CreateTempSubdirectory("dc-startup-").FullName;
        try
        {
            await using var slapd = await BenchSlapd.StartAsync(work, users, contentSync: true);
            var port = slapd.Port;
            await using var standIn = await BitwardenStandIn.StartAsync(new BitwardenStandInOptions { SelfHosted = false });
            var manifests = SyncBenchmark.WriteManifests(work, port, standIn);
            var state = Path.Combine(work, "state.json");
            string[] sync = ["sync", .. manifests, "--state", state];

            // The first sync posts everything and records the cookie; every measured sync then finds nothing changed.
            await SyncBenchmark.MeasureAsync(users, "first sync (records the cursor)", work, standIn, cli, sync);
            if (args.Contains("--hold"))
            {
                var script = Path.Combine(work, "sync.sh");
                await File.WriteAllTextAsync(script, $"#!/bin/sh\nexec \"${{CLI:-{cli}}}\" {string.Join(' ', sync.Select(a => $"'{a}'"))} \"$@\"\n");
                var hold = Path.Combine(work, "hold");
                await File.WriteAllTextAsync(hold, "delete this file to stop\n");
                Console.Error.WriteLine($"Holding: run sh {script} (CLI=... for another executable); delete {hold} to stop.");
                while (File.Exists(hold))
                {
                    await Task.Delay(1000);
                }

                return 0;
            }

            var loadBefore = File.ReadAllText("/proc/loadavg").Trim();
            var results = new List<Measurement>();
            async Task Measure(string phase, string executable, string[] arguments)
            {
                var measured = new List<Measurement>();
                for (var run = 0; run < runs; run++)
                {
                    measured.Add(await SyncBenchmark.MeasureAsync(users, phase, work, standIn, executable, arguments));
                }

                var median = Measurement.Median(measured);
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"   {phase}: {median.Wall:0.00} s wall, {median.Cpu:0.00} s CPU, {median.PeakRssMiB:0} MiB (runs: {string.Join(" / ", measured.Select(r => $"{r.Wall:0.00} s, {r.Cpu:0.00} s CPU"))})"));
                results.Add(median);
            }

            await Measure("process start (published, --version)", cli, ["--version"]);
            await Measure(PhaseIncremental + ", published", cli, sync);
            await Measure(PhaseIncremental + ", framework-dependent build (dotnet directory-connector.dll)", "dotnet", [frameworkDependent, .. sync]);
            if (results.Any(r => r.Posts > 0))
            {
                throw new InvalidOperationException("A sync with nothing changed posted.");
            }

            var table = new StringBuilder();
            table.AppendLine(CultureInfo.InvariantCulture, $"/proc/loadavg before: {loadBefore}; after: {File.ReadAllText("/proc/loadavg").Trim()}");
            table.AppendLine("| users / groups | phase | wall s | CPU s | peak RSS MiB | POSTs |");
            table.AppendLine("|---|---|---:|---:|---:|---:|");
            foreach (var row in results)
            {
                table.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {row.Users:N0} / {row.Users / 10:N0} | {row.Phase} | {row.Wall:0.00} | {row.Cpu:0.00} | {row.PeakRssMiB:0} | {row.Posts} |"));
            }

            Console.WriteLine();
            Console.WriteLine(table);
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
