using DirectoryConnector.TestSupport;
using DirectoryConnector.TestSupport.Kubernetes;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Cli.Tests.EndToEnd;

/// <summary>
/// `directory-connector operator` finds its cluster as kubectl does, run as a separate process with its own
/// environment: --kubeconfig over $KUBECONFIG (a merged list) over ~/.kube/config, and a clear error naming what was
/// tried when none works. (In cluster, between $KUBECONFIG and ~/.kube/config, needs the service-account token at
/// /var/run/secrets/kubernetes.io/serviceaccount, which a test process cannot provide: KubernetesConfigResolverTests
/// covers its place in the order.)
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
    public async Task OperatorUsesTheClusterOfTheMergedKubeconfigVariableOverHomeKubeconfig()
    {
        // kubectl's usual split: one file with the cluster and credentials, another selecting the context. A
        // ~/.kube/config naming another cluster must lose to $KUBECONFIG.
        var (clusters, contexts) = SplitKubeconfig();
        var missing = Path.Combine(home.FullName, "not-there");
        WriteHomeKubeconfig(UnreachableKubeconfig);

        var (listed, process, exit) = await RunOperatorAsync([], Environment($"{missing}:{contexts}:{clusters}"));

        listed.Should().BeTrue($"the operator lists DirectorySyncs on the cluster KUBECONFIG names, not ~/.kube/config's\n{process}");
        process.Output.Should().Contain($"configuration from $KUBECONFIG ({contexts}, {clusters})", process.ToString());
        exit.Should().Be(0, process.ToString());
    }

    [Fact]
    public async Task KubeconfigFlagWinsOverTheVariableAndHomeKubeconfig()
    {
        var flag = Path.Combine(home.FullName, "flag.yaml");
        File.WriteAllText(flag, kube.KubeconfigYaml());
        var variable = Path.Combine(home.FullName, "variable.yaml");
        File.WriteAllText(variable, UnreachableKubeconfig);
        WriteHomeKubeconfig(UnreachableKubeconfig);

        var (listed, process, exit) = await RunOperatorAsync(["--kubeconfig", flag], Environment(variable));

        listed.Should().BeTrue($"--kubeconfig names the cluster\n{process}");
        process.Output.Should().Contain($"configuration from --kubeconfig {flag}", process.ToString());
        exit.Should().Be(0, process.ToString());
    }

    [Fact]
    public async Task HomeKubeconfigIsUsedWhenNothingElseIsSet()
    {
        var path = WriteHomeKubeconfig(kube.KubeconfigYaml());

        var (listed, process, exit) = await RunOperatorAsync([], Environment(kubeconfig: null));

        listed.Should().BeTrue($"~/.kube/config names the cluster\n{process}");
        process.Output.Should().Contain($"configuration from {path}", process.ToString());
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

    /// <summary>A cluster nothing listens on (the discard port): whoever picks this file never reaches the emulator.</summary>
    private const string UnreachableKubeconfig = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: elsewhere
          cluster: {server: "http://127.0.0.1:9"}
        users:
        - name: elsewhere
          user: {token: elsewhere}
        contexts:
        - name: elsewhere
          context: {cluster: elsewhere, user: elsewhere}
        current-context: elsewhere
        """;

    /// <summary>Runs the verb until it lists DirectorySyncs on the emulator (or exits), then stops it with SIGTERM.
    /// The returned process has exited; its output stays readable.</summary>
    private async Task<(bool Listed, CliProcess Process, int? Exit)> RunOperatorAsync(string[] flags, Dictionary<string, string?> environment)
    {
        using var process = CliProcess.Start(CliProcess.BuiltExecutable,
            ["operator", "--leader-elect", "false", "--http-address", "127.0.0.1", "--http-port", "0", "--text-logs", .. flags], environment);
        var listed = await WaitForAsync(() => kube.Requests.Any(r => r.StartsWith("GET /apis/directoryconnector.dev/v1alpha1/directorysyncs", StringComparison.Ordinal)), process);
        process.Terminate();
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        return (listed, process, exit);
    }

    private string WriteHomeKubeconfig(string yaml)
    {
        var path = Path.Combine(home.FullName, ".kube", "config");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, yaml);
        return path;
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
