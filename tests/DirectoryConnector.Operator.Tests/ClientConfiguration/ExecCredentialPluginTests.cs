using DirectoryConnector.Operator.Hosting;
using FluentAssertions;
using k8s;
using k8s.Exceptions;
using Xunit;

namespace DirectoryConnector.Operator.Tests.ClientConfiguration;

/// <summary>
/// A kubeconfig user with an exec credential plugin (EKS, GKE, AKS kubeconfigs): the operator runs the plugin itself
/// (KubernetesClient's runner needs reflection JSON, absent under Native AOT) and must end with what KubernetesClient's
/// own loader gives under JIT, the oracle: the token, client certificate and key, the refreshing token provider, and
/// the same KUBERNETES_EXEC_INFO, arguments and environment handed to the plugin.
/// </summary>
public sealed class ExecCredentialPluginTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("exec-plugin-");

    public void Dispose() => folder.Delete(recursive: true);

    [Theory]
    [InlineData("""{"token":"exec-token","expirationTimestamp":"2099-01-01T00:00:00Z"}""")]
    [InlineData("""{"token":"expiring","expirationTimestamp":"2000-01-01T00:00:00Z"}""")]
    [InlineData("""{"clientCertificateData":"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n","clientKeyData":"-----BEGIN EC PRIVATE KEY-----\nMHc\n-----END EC PRIVATE KEY-----\n"}""")]
    public async Task TheConfigurationIsWhatKubernetesClientBuildsFromTheSamePlugin(string status)
    {
        var kubeconfig = Kubeconfig(status);

        var ours = KubernetesConfigResolver.Resolve(kubeconfig, null, new KubernetesEnvironment(null, InCluster: false, "/nonexistent")).Configuration;
        var ourRun = ReadRun();
        var theirs = KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig, useRelativePaths: false);
        var theirRun = ReadRun();

        // Arguments and environment as KubernetesClient passes them; KUBERNETES_EXEC_INFO as client-go writes it: kind
        // ExecCredential (KubernetesClient: "ExecCredentials", which client-go's decoder refuses) and not interactive
        // with interactiveMode Never (KubernetesClient: Environment.UserInteractive, true on Linux even in a pod).
        ourRun.Split('\n')[1..].Should().Equal(theirRun.Split('\n')[1..]);
        ourRun.Should().StartWith("info={\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"spec\":{\"interactive\":false}}\n")
            .And.Contain("args=--cluster prod").And.Contain("env=from-kubeconfig");
        ours.AccessToken.Should().Be(theirs.AccessToken);
        ours.ClientCertificateData.Should().Be(theirs.ClientCertificateData);
        ours.ClientCertificateKeyData.Should().Be(theirs.ClientCertificateKeyData);
        ours.Username.Should().BeNull();
        (ours.TokenProvider is null).Should().Be(theirs.TokenProvider is null);
        if (ours.TokenProvider is not null)
        {
            var header = await ours.TokenProvider.GetAuthenticationHeaderAsync(CancellationToken.None);
            header.ToString().Should().Be((await theirs.TokenProvider!.GetAuthenticationHeaderAsync(CancellationToken.None)).ToString());
        }
    }

    [Fact]
    public void APluginAnsweringWithAnotherApiVersionIsRefused()
    {
        var kubeconfig = Kubeconfig("""{"token":"t"}""", answeredApiVersion: "client.authentication.k8s.io/v1beta1");

        var act = () => KubernetesConfigResolver.Resolve(kubeconfig, null, new KubernetesEnvironment(null, InCluster: false, "/nonexistent"));

        act.Should().Throw<KubeConfigException>().WithMessage("*api version client.authentication.k8s.io/v1beta1 does not match client.authentication.k8s.io/v1*");
    }

    [Fact]
    public void APluginPrintingNoExecCredentialIsRefusedWithoutQuotingIt()
    {
        var kubeconfig = Kubeconfig("""{"token":"s3cr3t" BROKEN""");

        var act = () => KubernetesConfigResolver.Resolve(kubeconfig, null, new KubernetesEnvironment(null, InCluster: false, "/nonexistent"));

        act.Should().Throw<KubeConfigException>().WithMessage("*not an ExecCredential*").Which.Message.Should().NotContain("s3cr3t")
            .And.Contain("(line 1, byte ", "the plugin printed one line; System.Text.Json counts lines from 0");
    }

    [Fact]
    public void AClusterInfoPluginGetsTheClusterAsClientGoHandsItOver()
    {
        var kubeconfig = Kubeconfig("""{"token":"t"}""", exec: "interactiveMode: IfAvailable\n      provideClusterInfo: true", cluster: """
            server: "https://prod.example:6443"
                tls-server-name: api.internal
                certificate-authority-data: Y2EtZGF0YQ==
                proxy-url: socks5://proxy:1080
                extensions:
                - name: client.authentication.k8s.io/exec
                  extension: {audience: sts, retries: 3, nested: {on: true, list: [a, 1]}}
            """);

        KubernetesConfigResolver.Resolve(kubeconfig, null, new KubernetesEnvironment(null, InCluster: false, "/nonexistent"));

        // The test host's standard input is redirected: IfAvailable is not interactive.
        ReadRun().Should().StartWith("""info={"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"cluster":{"server":"https://prod.example:6443","tls-server-name":"api.internal","certificate-authority-data":"Y2EtZGF0YQ==","proxy-url":"socks5://proxy:1080","config":{"audience":"sts","retries":3,"nested":{"on":true,"list":["a",1]}}},"interactive":false}}""" + "\n");
    }

    [Theory]
    [InlineData("client.authentication.k8s.io/v1", "", "exec.interactiveMode must be specified (Never, IfAvailable or Always)*")]
    [InlineData("client.authentication.k8s.io/v1", "interactiveMode: Sometimes", "exec.interactiveMode \"Sometimes\" is not Never, IfAvailable or Always.")]
    [InlineData("client.authentication.k8s.io/v1", "interactiveMode: Always", "exec plugin cannot support interactive mode*not a terminal")]
    public void AnInteractiveModeThatCannotBeHonouredIsAnError(string apiVersion, string exec, string message)
    {
        var kubeconfig = Kubeconfig("""{"token":"t"}""", answeredApiVersion: apiVersion, exec: exec, apiVersion: apiVersion);

        var act = () => KubernetesConfigResolver.Resolve(kubeconfig, null, new KubernetesEnvironment(null, InCluster: false, "/nonexistent"));

        act.Should().Throw<KubeConfigException>().WithMessage(message);
    }

    [Fact]
    public void APreV1PluginWithoutInteractiveModeIsIfAvailable()
    {
        var kubeconfig = Kubeconfig("""{"token":"t"}""", answeredApiVersion: "client.authentication.k8s.io/v1beta1", exec: "", apiVersion: "client.authentication.k8s.io/v1beta1");

        KubernetesConfigResolver.Resolve(kubeconfig, null, new KubernetesEnvironment(null, InCluster: false, "/nonexistent"))
            .Configuration.AccessToken.Should().Be("t");
    }

    private string Kubeconfig(string status, string answeredApiVersion = "client.authentication.k8s.io/v1", string exec = "interactiveMode: Never",
        string cluster = "server: \"https://prod.example:6443\"", string apiVersion = "client.authentication.k8s.io/v1")
    {
        var plugin = Path.Combine(folder.FullName, "plugin.sh");
        var run = Path.Combine(folder.FullName, "run");
        File.WriteAllText(plugin, $$"""
            #!/bin/sh
            printf 'info=%s\nargs=%s\nenv=%s\n' "$KUBERNETES_EXEC_INFO" "$*" "$FROM_KUBECONFIG" > '{{run}}'
            cat <<'EOF'
            {"apiVersion":"{{answeredApiVersion}}","kind":"ExecCredential","status":{{status}}}
            EOF
            """.Replace("\r", "", StringComparison.Ordinal));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(plugin, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var kubeconfig = Path.Combine(folder.FullName, "kubeconfig");
        File.WriteAllText(kubeconfig, $$"""
            apiVersion: v1
            kind: Config
            current-context: prod
            clusters:
            - name: prod
              cluster:
                {{cluster}}
            contexts:
            - name: prod
              context: {cluster: prod, user: eks}
            users:
            - name: eks
              user:
                exec:
                  apiVersion: {{apiVersion}}
                  command: {{plugin}}
                  args: [--cluster, prod]
                  env:
                  - {name: FROM_KUBECONFIG, value: from-kubeconfig}
                  {{exec}}
            """);
        return kubeconfig;
    }

    private string ReadRun()
    {
        var run = Path.Combine(folder.FullName, "run");
        var text = File.ReadAllText(run);
        File.Delete(run);
        return text;
    }
}
