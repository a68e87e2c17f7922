using System.Net;
using System.Net.Sockets;
using DirectoryConnector.TestSupport;
using DirectoryConnector.TestSupport.Kubernetes;
using DirectoryConnector.TestSupport.Tools;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Cli.Tests.EndToEnd;

/// <summary>
/// The Dockerfile's own publish, build/publish.sh (no Docker engine runs here; or the build DIRECTORY_CONNECTOR_EXECUTABLE names), started as the image's entrypoint with the
/// arguments of the chart's Deployment (helm template; one replica, so no Lease, on a loopback port): serves /healthz
/// and /metrics and exits 0 on SIGTERM, as the kubelet stops a pod.
/// </summary>
public sealed class PublishedBinaryTests : IAsyncLifetime
{
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("publish-");
    private KubeApiEmulator kube = null!;

    public async Task InitializeAsync()
    {
        var options = new KubeApiEmulatorOptions();
        options.CrdPaths.Add(Repository.DirectorySyncCrd);
        kube = await KubeApiEmulator.StartAsync(options);
    }

    public async Task DisposeAsync()
    {
        await kube.DisposeAsync();
        work.Delete(recursive: true);
    }

    [ToolFact("helm")]
    public async Task PublishedEntrypointServesHealthAndMetricsAndExitsCleanlyOnSigterm()
    {
        var executable = await PublishedExecutableAsync();

        var kubeconfig = Path.Combine(work.FullName, "kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, kube.KubeconfigYaml());
        var port = FreePort();
        var deploymentArgs = await ChartOperatorFlagsTests.RenderedArgsAsync(
            "--namespace", "default", "--set", "replicaCount=1", "--set", "leaderElection.enabled=false",
            "--set", $"metrics.port={port}", "--set", "metrics.address=127.0.0.1");
        using var process = CliProcess.Start(executable, ["operator", .. deploymentArgs],
            new Dictionary<string, string?> { ["KUBECONFIG"] = kubeconfig, ["DOTNET_NOLOGO"] = "1", ["HOME"] = work.FullName },
            workingDirectory: "/");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(5) };

        var health = await GetWhenListeningAsync(http, "healthz", process);
        var metrics = await http.GetStringAsync("metrics");
        process.Terminate();
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(30));

        health.Should().Be("ok", process.ToString());
        metrics.Should().Contain("# TYPE workqueue_depth gauge").And.Contain("leader_election_master_status");
        exit.Should().Be(0, $"SIGTERM is a clean stop\n{process}");
    }

    /// <summary>
    /// The build named by DIRECTORY_CONNECTOR_EXECUTABLE when set (CI publishes it once and runs the process tests
    /// against it), else build/publish.sh (the Dockerfile's) into the work directory.
    /// </summary>
    private async Task<string> PublishedExecutableAsync()
    {
        if (CliProcess.IsOverridden)
        {
            return CliProcess.BuiltExecutable;
        }

        var app = Path.Combine(work.FullName, "app");
        using (var publish = CliProcess.Start("bash", [Path.Combine(Repository.Root, "build", "publish.sh"), app], new Dictionary<string, string?>(), Repository.Root))
        {
            // Native AOT compiles the whole program: 3–5 minutes on a quiet 2-core machine, far more under heavy load.
            (await publish.WaitForExitAsync(TimeSpan.FromMinutes(40))).Should().Be(0, publish.ToString());
        }

        return Path.Combine(app, "directory-connector");
    }

    private static async Task<string> GetWhenListeningAsync(HttpClient http, string path, CliProcess process)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                return await http.GetStringAsync(path);
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(200);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
