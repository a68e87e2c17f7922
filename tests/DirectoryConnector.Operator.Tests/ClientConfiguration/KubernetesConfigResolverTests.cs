using DirectoryConnector.Operator.Hosting;
using FluentAssertions;
using k8s;
using k8s.Exceptions;
using Xunit;

namespace DirectoryConnector.Operator.Tests.ClientConfiguration;

/// <summary>--kubeconfig, then $KUBECONFIG (merged as kubectl merges), then in cluster, then ~/.kube/config.</summary>
public sealed class KubernetesConfigResolverTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("kubeconfig-");

    public void Dispose() => folder.Delete(recursive: true);

    [Fact]
    public void KubeconfigVariableFilesAreMergedFirstFileWinsLikeKubectl()
    {
        // The first file names the context and its namespace; the second holds the cluster and user it points to,
        // and a current-context and a same-named context that must lose to the first file's.
        var contexts = Write("contexts", """
            apiVersion: v1
            kind: Config
            contexts:
            - name: prod
              context: {cluster: prod, user: admin, namespace: team-a}
            current-context: prod
            """);
        var clusters = Write("clusters", """
            apiVersion: v1
            kind: Config
            clusters:
            - name: prod
              cluster: {server: "https://prod.example:6443"}
            - name: dev
              cluster: {server: "https://dev.example:6443"}
            users:
            - name: admin
              user: {token: t}
            contexts:
            - name: prod
              context: {cluster: dev, user: admin, namespace: team-b}
            - name: dev
              context: {cluster: dev, user: admin}
            current-context: dev
            """);
        var missing = Path.Combine(folder.FullName, "missing");

        var resolved = KubernetesConfigResolver.Resolve(null, null, Environment($"{missing}:{contexts}::{clusters}"));

        resolved.Source.Should().Be(KubernetesConfigSourceKind.KubeconfigVariable);
        resolved.Files.Should().Equal(contexts, clusters);
        resolved.Configuration.Host.Should().Be("https://prod.example:6443");
        resolved.Configuration.Namespace.Should().Be("team-a");
        resolved.Describe().Should().Be($"$KUBECONFIG ({contexts}, {clusters})");
    }

    [Fact]
    public void ContextOptionPicksAnotherContextOfTheMergedFiles()
    {
        var file = Write("config", TwoClusters);

        var resolved = KubernetesConfigResolver.Resolve(null, "dev", Environment(file));

        resolved.Configuration.Host.Should().Be("https://dev.example:6443");
    }

    [Fact]
    public void KubeconfigOptionWinsOverTheVariableInClusterAndHome()
    {
        var flag = Write("flag", TwoClusters);
        var home = Write("home", TwoClusters.Replace("prod.example", "home.example", StringComparison.Ordinal));

        var resolved = KubernetesConfigResolver.Resolve(flag, null, new KubernetesEnvironment(home, InCluster: true, home));

        resolved.Source.Should().Be(KubernetesConfigSourceKind.KubeconfigFlag);
        resolved.Configuration.Host.Should().Be("https://prod.example:6443");
    }

    [Fact]
    public void KubeconfigVariableWinsOverInClusterAndHome()
    {
        // In a pod with KUBECONFIG set (a sidecar-written config, say), kubectl's order still puts the variable first.
        var variable = Write("variable", TwoClusters);
        var home = Write("home", TwoClusters.Replace("prod.example", "home.example", StringComparison.Ordinal));

        var resolved = KubernetesConfigResolver.Resolve(null, null, new KubernetesEnvironment(variable, InCluster: true, home));

        resolved.Source.Should().Be(KubernetesConfigSourceKind.KubeconfigVariable);
        resolved.Configuration.Host.Should().Be("https://prod.example:6443");
    }

    [Fact]
    public void InClusterWinsOverHomeKubeconfig()
    {
        var home = Write("home", TwoClusters);

        // The service account lives at KubernetesClient's fixed path, which a test does not create: the in-cluster
        // configuration is then attempted and refused by KubernetesClient (inside a pod it is returned). Either way
        // ~/.kube/config is never read in a pod.
        KubernetesConfigSourceKind? source = null;
        var act = () => source = KubernetesConfigResolver.Resolve(null, null, new KubernetesEnvironment(null, InCluster: true, home)).Source;

        if (KubernetesClientConfiguration.IsInCluster())
        {
            act();
            source.Should().Be(KubernetesConfigSourceKind.InCluster);
        }
        else
        {
            act.Should().Throw<KubeConfigException>().WithMessage("*in-cluster configuration*");
        }
    }

    [Fact]
    public void HomeKubeconfigIsTheLastResort()
    {
        var home = Write("home", TwoClusters);

        var resolved = KubernetesConfigResolver.Resolve(null, null, new KubernetesEnvironment(null, InCluster: false, home));

        resolved.Source.Should().Be(KubernetesConfigSourceKind.HomeKubeconfig);
        resolved.Describe().Should().Be(home);
    }

    [Fact]
    public void AVariableListingOnlyMissingFilesIsAnErrorNotAFallBackToAnotherCluster()
    {
        var home = Write("home", TwoClusters);
        var missing = Path.Combine(folder.FullName, "gone");

        var act = () => KubernetesConfigResolver.Resolve(null, null, new KubernetesEnvironment(missing, InCluster: false, home));

        act.Should().Throw<KubeConfigException>().WithMessage($"*none of the files $KUBECONFIG lists exists ({missing})*");
    }

    [Fact]
    public void AMissingKubeconfigOptionIsNamed()
    {
        var missing = Path.Combine(folder.FullName, "nope");

        var act = () => KubernetesConfigResolver.Resolve(missing, null, Environment(null));

        act.Should().Throw<KubeConfigException>().WithMessage($"*--kubeconfig file {missing} does not exist*");
    }

    [Fact]
    public void NothingFoundNamesEveryPlaceTried()
    {
        var home = Path.Combine(folder.FullName, ".kube", "config");

        var act = () => KubernetesConfigResolver.Resolve(null, null, new KubernetesEnvironment(null, InCluster: false, home));

        act.Should().Throw<KubeConfigException>()
            .WithMessage($"*--kubeconfig (not given)*$KUBECONFIG (not set)*in-cluster service account*{home} (does not exist)*");
    }

    private const string TwoClusters = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: prod
          cluster: {server: "https://prod.example:6443"}
        - name: dev
          cluster: {server: "https://dev.example:6443"}
        users:
        - name: admin
          user: {token: t}
        contexts:
        - name: prod
          context: {cluster: prod, user: admin}
        - name: dev
          context: {cluster: dev, user: admin}
        current-context: prod
        """;

    private KubernetesEnvironment Environment(string? variable) =>
        new(variable, InCluster: false, Path.Combine(folder.FullName, "no-home-config"));

    private string Write(string name, string yaml)
    {
        var path = Path.Combine(folder.FullName, name);
        File.WriteAllText(path, yaml);
        return path;
    }
}
