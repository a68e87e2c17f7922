using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Benchmarks.Sync;
using DirectoryConnector.Engine.Sources.File;
using DirectoryConnector.Operator.Reconciliation;
using DirectoryConnector.Operator.Resources;
using DirectoryConnector.TestSupport;
using DirectoryConnector.TestSupport.Bitwarden;
using DirectoryConnector.TestSupport.Kubernetes;
using k8s;
using k8s.Models;

namespace DirectoryConnector.Benchmarks;

/// <summary>
/// The operator's idle footprint (issue "Performance": 500 DirectorySyncs and 10,000 unrelated Secrets, idle under
/// 150 MiB with near-zero CPU). The operator runs as its own process: the <c>operator</c> verb of the executable the
/// image runs (the Dockerfile's publish), against the Kubernetes API emulator and the Bitwarden stand-in, which run in
/// this process; the DirectorySyncs use the file source (a ConfigMap), so the sources cost nothing. After every
/// DirectorySync is Ready, it measures the operator process's RSS and CPU time (/proc) over an idle window.
/// <code>dotnet run -c Release --project bench/DirectoryConnector.Benchmarks -- operator-idle [--syncs 500] [--secrets 10000] [--idle 60] [--cli path] [--env NAME=VALUE]</code>
/// With <c>BENCH_OPERATOR_LOG=Information</c> (or another level) the operator logs at that level to this process's stderr.
/// </summary>
internal static class OperatorIdleFootprint
{
    private const string Namespace = "bench";
    private const string OtherNamespace = "apps";

    public static async Task<int> RunAsync(string[] args)
    {
        var syncs = BenchArguments.Int(args, "--syncs", 500);
        var secrets = BenchArguments.Int(args, "--secrets", 10_000);
        var idle = TimeSpan.FromSeconds(BenchArguments.Int(args, "--idle", 60));
        // The executable the image runs (the Dockerfile's publish), or --cli's; --env NAME=VALUE (repeatable) adds to its environment.
        var cli = BenchArguments.Value(args, "--cli") ?? await PublishedCli.PublishAsync();
        var environment = args.Select((a, i) => a == "--env" && i + 1 < args.Length ? args[i + 1] : null).OfType<string>().Select(e => e.Split('=', 2)).ToList();

        var kubeOptions = new KubeApiEmulatorOptions { BookmarkInterval = TimeSpan.FromMinutes(1) };
        kubeOptions.CrdPaths.Add(Path.Combine(Repository.Root, "config", "crd", "directoryconnector.dev_directorysyncs.yaml"));
        await using var kube = await KubeApiEmulator.StartAsync(kubeOptions);
        await using var bitwarden = await BitwardenStandIn.StartAsync();
        var work = Directory.CreateTempSubdirectory("operator-idle-").FullName;
        var kubeconfig = Path.Combine(work, "kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, kube.KubeconfigYaml(Namespace));
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));

        var clock = Stopwatch.StartNew();
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Namespace } });
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = OtherNamespace } });
        await CreateUnrelatedSecretsAsync(client, secrets);
        await client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "bw-api-key" },
            Data = new Dictionary<string, byte[]> { ["client_id"] = Encoding.UTF8.GetBytes(bitwarden.ClientId), ["client_secret"] = Encoding.UTF8.GetBytes(bitwarden.ClientSecret) },
        }, Namespace);
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "directory" },
            Data = new Dictionary<string, string> { ["directory.json"] = DirectoryJson(users: 20, groups: 2) },
        }, Namespace);
        Console.WriteLine($"Cluster: {secrets:N0} unrelated Secrets of 2 KiB in {OtherNamespace} ({clock.Elapsed.TotalSeconds:F0} s)");

        var port = FreePort();
        var start = new ProcessStartInfo(cli)
        {
            ArgumentList = { "operator", "--kubeconfig", kubeconfig, "--leader-election-namespace", Namespace, "--http-address", "127.0.0.1", "--http-port", port.ToString(CultureInfo.InvariantCulture), "--text-logs", "--log-level", Environment.GetEnvironmentVariable("BENCH_OPERATOR_LOG") ?? "Warning" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // As the chart's Deployment runs it (charts/directory-connector-operator/templates/deployment.yaml).
        start.Environment["DOTNET_TieredCompilation"] = "0";
        foreach (var pair in environment)
        {
            start.Environment[pair[0]] = pair[1];
        }

        using var operatorProcess = Process.Start(start)!;
        operatorProcess.OutputDataReceived += (_, e) => { if (e.Data is { } line && Environment.GetEnvironmentVariable("BENCH_OPERATOR_LOG") is not null) { Console.Error.WriteLine($"operator: {line}"); } };
        operatorProcess.ErrorDataReceived += (_, e) => { if (e.Data is { } line) { Console.Error.WriteLine($"operator: {line}"); } };
        operatorProcess.BeginOutputReadLine();
        operatorProcess.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            // Ready and leading: a standby is ready too, and a leader that starts after the DirectorySyncs exist spreads
            // their first syncs over start-up jitter (a second each), which this benchmark does not measure.
            await WaitUntilAsync(async () => (await TryGetAsync(http, "/readyz")) == HttpStatusCode.OK && await IsLeaderAsync(http), TimeSpan.FromMinutes(2), "the operator to be ready and leading");
            var started = Sample(operatorProcess.Id);
            Console.WriteLine($"Operator ready (caches synced): RSS {Mib(started.Rss)} ({clock.Elapsed.TotalSeconds:F0} s)");

            var syncing = Stopwatch.StartNew();
            for (var i = 0; i < syncs; i++)
            {
                await client.CustomObjects.CreateNamespacedCustomObjectAsync<DirectorySync>(Resource($"org-{i:D3}", bitwarden), DirectorySync.Group, DirectorySync.Version, Namespace, DirectorySync.Plural);
            }

            await WaitUntilAsync(async () => await ReadyCountAsync(client) == syncs, TimeSpan.FromMinutes(30), $"{syncs} DirectorySyncs to be Ready");
            var synced = syncing.Elapsed;
            Console.WriteLine($"{syncs} DirectorySyncs Ready in {synced.TotalSeconds:F0} s ({bitwarden.ImportRequests.Count} import POSTs)");

            // Let the last status writes and their watch events settle, then measure an idle window.
            await Task.Delay(TimeSpan.FromSeconds(10));
            var requestsBefore = kube.Requests.Count;
            var before = Sample(operatorProcess.Id);
            await Task.Delay(idle);
            var after = Sample(operatorProcess.Id);
            var requestsDuring = kube.Requests.Count - requestsBefore;
            var cpu = (after.CpuSeconds - before.CpuSeconds) / idle.TotalSeconds;

            Console.WriteLine();
            Console.WriteLine($"| operator idle ({syncs} DirectorySyncs, {secrets:N0} unrelated Secrets) | value |");
            Console.WriteLine("|---|---|");
            Console.WriteLine($"| RSS after {idle.TotalSeconds:F0} s idle | {Mib(after.Rss)} |");
            Console.WriteLine($"| of which anonymous / file-mapped / shared (JIT code's W^X double mapping) | {Mib(after.RssAnon)} / {Mib(after.RssFile)} / {Mib(after.RssShmem)} |");
            Console.WriteLine($"| peak RSS (start-up and first syncs included) | {Mib(after.PeakRss)} |");
            Console.WriteLine($"| CPU while idle | {cpu * 100:F2} % of one core ({after.CpuSeconds - before.CpuSeconds:F2} s in {idle.TotalSeconds:F0} s) |");
            Console.WriteLine($"| API requests while idle | {requestsDuring} (Lease renewals every 2 s) |");
            Console.WriteLine($"| time to sync all {syncs} | {synced.TotalSeconds:F0} s |");
            return after.Rss < 150L * 1024 * 1024 ? 0 : 1;
        }
        finally
        {
            // Our own child: stop it (and anything it started) by its process id.
            if (!operatorProcess.HasExited)
            {
                operatorProcess.Kill(entireProcessTree: true);
                await operatorProcess.WaitForExitAsync();
            }

            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task CreateUnrelatedSecretsAsync(Kubernetes client, int count)
    {
        var payload = new byte[2048];
        Random.Shared.NextBytes(payload);
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next) - 1; i < count; i = Interlocked.Increment(ref next) - 1)
            {
                await client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
                {
                    Metadata = new V1ObjectMeta { Name = $"app-{i:D5}", Labels = new Dictionary<string, string> { ["app"] = $"app-{i % 100}" } },
                    Data = new Dictionary<string, byte[]> { ["tls.key"] = payload },
                }, OtherNamespace);
            }
        }));
    }

    private static DirectorySync Resource(string name, BitwardenStandIn bitwarden) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Namespace },
        Spec = new DirectorySyncSpec
        {
            Interval = "1h",
            Bitwarden = new BitwardenSpec { ServerUrl = bitwarden.BaseUrl.ToString().TrimEnd('/'), ApiKeySecretRef = new ApiKeySecretRef { Name = "bw-api-key" } },
            Source = new SourceSpec { File = new FileSourceSpec { ConfigMapRef = new ConfigMapKeyRef { Name = "directory", Key = "directory.json" }, Format = FileFormat.Json } },
        },
    };

    private static string DirectoryJson(int users, int groups)
    {
        var userList = Enumerable.Range(0, users).Select(i => new { id = $"user-{i}", email = $"user{i}@corp.example" }).ToList();
        var groupList = Enumerable.Range(0, groups).Select(g => new { id = $"group-{g}", name = $"Group {g}", members = userList.Where((_, i) => i % groups == g).Select(u => u.id).ToArray() });
        return JsonSerializer.Serialize(new { users = userList, groups = groupList });
    }

    private static async Task<int> ReadyCountAsync(Kubernetes client)
    {
        var list = await client.CustomObjects.ListNamespacedCustomObjectAsync<DirectorySyncList>(DirectorySync.Group, DirectorySync.Version, Namespace, DirectorySync.Plural);
        return list.Items.Count(s => Conditions.Find(s.Status?.Conditions, Conditions.Ready)?.Status == Conditions.True);
    }

    /// <summary>RSS (and its parts), peak RSS and user+system CPU seconds of a process, from /proc (Linux).</summary>
    private static (long Rss, long RssAnon, long RssFile, long RssShmem, long PeakRss, double CpuSeconds) Sample(int pid)
    {
        var status = File.ReadAllLines($"/proc/{pid}/status");
        long Kib(string field) => long.Parse(status.First(l => l.StartsWith(field, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        // Fields 14 and 15 (utime, stime) in clock ticks, counted after the parenthesised command name.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return (Kib("VmRSS:"), Kib("RssAnon:"), Kib("RssFile:"), Kib("RssShmem:"), Kib("VmHWM:"), ticks / 100.0);
    }

    private static string Mib(long bytes) => $"{bytes / 1024.0 / 1024.0:F0} MiB";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<bool> IsLeaderAsync(HttpClient http)
    {
        try
        {
            return (await http.GetStringAsync("/metrics")).Contains("leader_election_master_status{name=\"directory-connector-operator\"} 1", StringComparison.Ordinal);
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static async Task<HttpStatusCode?> TryGetAsync(HttpClient http, string path)
    {
        try
        {
            using var response = await http.GetAsync(path);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan limit, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > limit)
            {
                throw new TimeoutException($"Gave up waiting for {what} after {limit.TotalSeconds:F0} s.");
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }
}
