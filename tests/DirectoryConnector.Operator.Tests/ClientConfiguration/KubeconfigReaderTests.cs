using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DirectoryConnector.Operator.Hosting;
using DirectoryConnector.Operator.Hosting.Kubeconfig;
using FluentAssertions;
using k8s;
using k8s.Exceptions;
using k8s.KubeConfigModels;
using Xunit;

namespace DirectoryConnector.Operator.Tests.ClientConfiguration;

/// <summary>
/// The reflection-free kubeconfig reader (Native AOT) against KubernetesClient's own loader, which works under JIT and
/// is the oracle: every key its models carry, untyped extensions and preferences, anchors and merge keys, several
/// files with relative paths merged by <see cref="KubernetesConfigResolver"/>.
/// </summary>
public sealed class KubeconfigReaderTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("kubeconfig-reader-");

    public void Dispose() => folder.Delete(recursive: true);

    public static TheoryData<string, string> Kubeconfigs() => new()
    {
        { "every field", EveryField },
        { "minimal", "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: 'https://c:6443'}\n" },
        {
            "anchors, merge keys, quoting, keys it does not know",
            """
            apiVersion: v1
            kind: Config
            unknown-top: {x: 1}
            clusters:
            - &base
              name: a
              cluster: &endpoint
                server: "https://a:6443"
                insecure-skip-tls-verify: false
                proxy-url: "http://proxy:3128"
                disable-compression: true
            - name: b
              cluster:
                <<: *endpoint
                tls-server-name: 'b.internal'
            users:
            - name: "quoted: name"
              user:
                token: '0123'
                tokenFile: /var/run/token
                username: "true"
                password: 'null'
                as-groups: []
                as-user-extra: {}
            - name: empty
              user: {}
            contexts:
            - name: c
              context: {cluster: b, user: empty}
            current-context: c
            preferences: {}
            """
        },
        {
            "exec and auth-provider users",
            """
            apiVersion: v1
            kind: Config
            users:
            - name: exec
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1beta1
                  command: aws
                  args: [eks, get-token, --cluster-name, "prod", "--region=eu-west-1"]
                  env:
                  - name: AWS_PROFILE
                    value: prod
                  - {name: EMPTY, value: ""}
                  installHint: install the aws CLI
                  provideClusterInfo: true
                  interactiveMode: IfAvailable
            - name: oidc
              user:
                auth-provider:
                  name: oidc
                  config:
                    client-id: kubernetes
                    idp-issuer-url: https://issuer.example
                    refresh-token: r
            """
        },
    };

    [Theory]
    [MemberData(nameof(Kubeconfigs))]
    public void ReadsWhatKubernetesClientsLoaderReads(string name, string yaml)
    {
        var file = Write(name.Replace(' ', '-').Replace(',', '-').Replace(':', '-'), yaml);

        var read = KubeconfigReader.Read(file);

        var expected = KubernetesClientConfiguration.LoadKubeConfig(new FileInfo(file), useRelativePaths: false);
        read.Should().BeEquivalentTo(expected, options => options.RespectingRuntimeTypes().WithStrictOrdering());
    }

    [Fact]
    public void UntypedValuesKeepTheirYamlTypes()
    {
        var file = Write("untyped", EveryField);

        var read = KubeconfigReader.Read(file);

        // The oracle comparison above checks these too; spelled out because they are the part a static reader had to add.
        read.Preferences["colors"].Should().Be(true);
        var nested = read.Preferences["nested"].Should().BeOfType<Dictionary<object, object>>().Subject;
        nested["list"].Should().BeOfType<List<object>>().Which.Should().HaveCount(4);
        ((object)read.Extensions.Single().Extension).Should().BeOfType<Dictionary<object, object>>();
    }

    [Fact]
    public void SeveralFilesWithRelativePathsResolveAsWithKubernetesClientsLoader()
    {
        // Relative paths are relative to the file that holds them; the second file's folder differs from the first's.
        var other = folder.CreateSubdirectory("other");
        WriteCertificate(Path.Combine(other.FullName, "ca.pem"));
        var first = Write("first", """
            apiVersion: v1
            kind: Config
            current-context: prod
            contexts:
            - name: prod
              context: {cluster: prod, user: admin, namespace: team-a}
            users:
            - name: admin
              user:
                client-certificate: certs/admin.crt
                client-key: certs/admin.key
                as: someone
                as-groups: [g1]
            """);
        var second = Path.Combine(other.FullName, "second");
        File.WriteAllText(second, """
            apiVersion: v1
            kind: Config
            current-context: dev
            clusters:
            - name: prod
              cluster:
                server: https://prod.example:6443
                certificate-authority: ca.pem
                tls-server-name: prod.internal
            users:
            - name: admin
              user: {token: loses-to-the-first-file}
            """);

        var resolved = KubernetesConfigResolver.Resolve(null, null, new KubernetesEnvironment($"{first}{Path.PathSeparator}{second}", InCluster: false, "/nonexistent"));

        var expected = KubernetesClientConfiguration.BuildConfigFromConfigObject(OracleMerge([first, second]), currentContext: null);
        // The one difference: the TLS connection is made as client-go makes it (KubeconfigServerNameTls), whose setup
        // KubernetesClient's loader does not add.
        resolved.Configuration.Should().BeEquivalentTo(expected, options => options.RespectingRuntimeTypes().Excluding(c => c.FirstMessageHandlerSetup));
        expected.FirstMessageHandlerSetup.Should().BeNull();
        resolved.Configuration.FirstMessageHandlerSetup!.Target.Should().BeOfType<KubeconfigServerNameTls>().Which.ServerName.Should().Be("prod.internal");
        resolved.Configuration.ClientCertificateFilePath.Should().Be(Path.Combine(folder.FullName, "certs", "admin.crt"));
        resolved.Configuration.SslCaCerts.Should().ContainSingle();
    }

    [Fact]
    public void MalformedYamlIsAnErrorNamingTheFileAndPositionButNotTheText()
    {
        var file = Write("broken", "apiVersion: v1\nusers:\n- name: u\n  user: {token: s3cr3t-token\n");

        var act = () => KubeconfigReader.Read(file);

        var error = act.Should().Throw<KubeConfigException>().WithMessage($"the kubeconfig {file} is not valid: line *, column *").Which;
        error.Message.Should().NotContain("s3cr3t");
    }

    [Fact]
    public void AValueOfTheWrongTypeIsAnErrorNamingTheFile()
    {
        var file = Write("wrong-type", "clusters:\n- name: c\n  cluster: {server: 'https://c', insecure-skip-tls-verify: sometimes}\n");

        var act = () => KubeconfigReader.Read(file);

        act.Should().Throw<KubeConfigException>().WithMessage($"the kubeconfig {file} is not valid: line 3, column *wrong type*")
            .Which.Message.Should().NotContain("sometimes");
    }

    [Fact]
    public void AnEmptyFileIsAnEmptyConfiguration()
    {
        var file = Write("empty", "");

        var read = KubeconfigReader.Read(file);

        read.Clusters.Should().BeEmpty();
        read.Users.Should().BeEmpty();
        read.Contexts.Should().BeEmpty();
        read.CurrentContext.Should().BeNull();
    }

    // KubernetesConfigResolver's merge as it was, on KubernetesClient's loader: the first file wins per name, relative
    // paths are relative to their file.
    private static K8SConfiguration OracleMerge(IEnumerable<string> files)
    {
        var merged = new K8SConfiguration { Clusters = [], Users = [], Contexts = [] };
        foreach (var file in files)
        {
            var config = KubernetesClientConfiguration.LoadKubeConfig(new FileInfo(file), useRelativePaths: false);
            var directory = Path.GetDirectoryName(file)!;
            merged.CurrentContext ??= config.CurrentContext;
            foreach (var cluster in config.Clusters.Where(c => !merged.Clusters.Any(m => m.Name == c.Name)))
            {
                cluster.ClusterEndpoint.CertificateAuthority = Rooted(directory, cluster.ClusterEndpoint.CertificateAuthority);
                merged.Clusters = [.. merged.Clusters, cluster];
            }

            foreach (var user in config.Users.Where(u => !merged.Users.Any(m => m.Name == u.Name)))
            {
                user.UserCredentials.ClientCertificate = Rooted(directory, user.UserCredentials.ClientCertificate);
                user.UserCredentials.ClientKey = Rooted(directory, user.UserCredentials.ClientKey);
                merged.Users = [.. merged.Users, user];
            }

            merged.Contexts = [.. merged.Contexts, .. config.Contexts.Where(c => !merged.Contexts.Any(m => m.Name == c.Name))];
        }

        return merged;
    }

    private static string? Rooted(string directory, string? path) =>
        string.IsNullOrEmpty(path) || Path.IsPathRooted(path) ? path : Path.GetFullPath(path, directory);

    private static void WriteCertificate(string path)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=test-ca", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(path, certificate.ExportCertificatePem());
    }

    private const string EveryField = """
        apiVersion: v1
        kind: Config
        current-context: full
        preferences:
          colors: true
          count: 3
          ratio: 0.5
          big: 12345678901
          quoted: "42"
          nothing: null
          nested:
            list: [1, two, "3", {k: v}]
        extensions:
        - name: top
          extension: {a: 1, b: [x, y]}
        clusters:
        - name: full
          cluster:
            server: https://full.example:6443
            certificate-authority: /etc/ca.pem
            certificate-authority-data: Y2EtZGF0YQ==
            insecure-skip-tls-verify: true
            tls-server-name: full.internal
            proxy-url: socks5://proxy:1080
            extensions:
            - name: client.authentication.k8s.io/exec
              extension: {audience: sts, cluster-id: 7}
        contexts:
        - name: full
          namespace: beside-name
          context:
            cluster: full
            user: full
            namespace: team
            extensions:
            - name: ctx-ext
              extension: plain
          extensions:
          - name: outer
            extension: [1, 2]
        users:
        - name: full
          user:
            client-certificate: /etc/client.crt
            client-certificate-data: Y2VydA==
            client-key: /etc/client.key
            client-key-data: a2V5
            token: t0ken
            tokenFile: /var/run/secrets/token
            as: admin
            as-uid: "1000"
            as-groups: [system:masters, team]
            as-user-extra:
              scopes: openid
            username: alice
            password: p@ss
            auth-provider:
              name: gcp
              config: {access-token: a, expiry: "2030-01-01T00:00:00Z"}
            exec:
              apiVersion: client.authentication.k8s.io/v1
              command: /usr/bin/get-token
              args: [--audience, sts]
              env:
              - {name: A, value: "1"}
              installHint: install get-token
              provideClusterInfo: true
              interactiveMode: Never
            extensions:
            - name: user-ext
              extension: {on: true}
        """;

    private string Write(string name, string yaml)
    {
        var path = Path.Combine(folder.FullName, name);
        File.WriteAllText(path, yaml);
        return path;
    }
}
