using DirectoryConnector.TestSupport;
using DirectoryConnector.TestSupport.Kubernetes;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Cli.Tests.EndToEnd;

/// <summary>
/// `directory-connector operator` finds its cluster as kubectl does, run as a separate process with its own
/// environment: KUBECONFIG (a merged list) with no --kubeconfig, and a clear error naming what was tried otherwise.
/// </summary>
public sealed class OperatorKubeconfigTests : IAsyncLifetime
{
    private readonly DirectoryInfo home = Directory.CreateTempSubdirectory("operator-home-");
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
        home.Delete(recursive: true);
    }

    [Fact]
    public async Task OperatorUsesTheClusterOfTheMergedKubeconfigVariable()
    {
        // kubectl's usual split: one file with the cluster and credentials, another selecting the context.
        var (clusters, contexts) = SplitKubeconfig();
        var missing = Path.Combine(home.FullName, "not-there");
        using var process = CliProcess.Start(CliProcess.BuiltExecutable,
            ["operator", "--leader-elect", "false", "--http-address", "127.0.0.1", "--http-port", "0", "--text-logs"],
            Environment($"{missing}:{contexts}:{clusters}"));

        var listed = await WaitForAsync(() => kube.Requests.Any(r => r.StartsWith("GET /apis/directoryconnector.dev/v1alpha1/directorysyncs", StringComparison.Ordinal)), process);
        process.Terminate();
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(30));

        listed.Should().BeTrue($"the operator lists DirectorySyncs on the cluster KUBECONFIG names\n{process}");
        process.Output.Should().Contain($"configuration from $KUBECONFIG ({contexts}, {clusters})", process.ToString());
        exit.Should().Be(0, process.ToString());
    }

    [Fact]
    public async Task OperatorWithoutAnyConfigurationNamesWhatItTried()
    {
        using var process = CliProcess.Start(CliProcess.BuiltExecutable,
            ["operator", "--leader-elect", "false", "--http-address", "127.0.0.1", "--http-port", "0"],
            Environment(kubeconfig: null));

        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));

        exit.Should().Be(2, process.ToString());
        process.Error.Should().Contain("cannot configure the Kubernetes client")
            .And.Contain("$KUBECONFIG (not set)")
            .And.Contain("in-cluster service account")
            .And.Contain(Path.Combine(home.FullName, ".kube", "config") + " (does not exist)");
    }

    private Dictionary<string, string?> Environment(string? kubeconfig) => new()
    {
        ["KUBECONFIG"] = kubeconfig,
        ["HOME"] = home.FullName,
        ["KUBERNETES_SERVICE_HOST"] = null,
        ["KUBERNETES_SERVICE_PORT"] = null,
    };

    private (string Clusters, string Contexts) SplitKubeconfig()
    {
        var yaml = kube.KubeconfigYaml();
        var at = yaml.IndexOf("contexts:", StringComparison.Ordinal);
        var clusters = Path.Combine(home.FullName, "clusters.yaml");
        var contexts = Path.Combine(home.FullName, "contexts.yaml");
        File.WriteAllText(clusters, yaml[..at]);
        File.WriteAllText(contexts, "apiVersion: v1\nkind: Config\n" + yaml[at..]);
        return (clusters, contexts);
    }

    private static async Task<bool> WaitForAsync(Func<bool> condition, CliProcess process)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(100);
        }

        return condition();
    }
}
