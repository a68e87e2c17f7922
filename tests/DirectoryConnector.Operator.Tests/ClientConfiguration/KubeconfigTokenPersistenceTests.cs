using System.Text;
using DirectoryConnector.Operator.Hosting;
using DirectoryConnector.TestSupport.Logging;
using DirectoryConnector.TestSupport.Oidc;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace DirectoryConnector.Operator.Tests.ClientConfiguration;

/// <summary>
/// An oidc auth-provider's refreshed tokens are written back into the kubeconfig file that defines the user, as
/// client-go's persister does, so the next process starts with them (and with the rotated refresh-token, the only one
/// the issuer still accepts); only those keys change, in place, and a file that cannot be written costs a warning,
/// never the request. The refresh itself is in <see cref="KubeconfigConnectionTests"/>.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class KubeconfigTokenPersistenceTests : IAsyncLifetime, IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("kubeconfig-persist-");
    private readonly CapturedLogs logs = new();
    private OidcIssuerStandIn issuer = null!;
    private string expired = "";

    public async Task InitializeAsync()
    {
        issuer = await OidcIssuerStandIn.StartAsync("kubernetes", "secret", "rt-1");
        expired = issuer.IdToken(DateTimeOffset.UtcNow.AddMinutes(-5));
    }

    public async Task DisposeAsync()
    {
        await issuer.DisposeAsync();
        folder.Delete(recursive: true);
    }

    public void Dispose() => logs.Dispose();

    [Fact]
    public async Task TheRefreshedIdTokenAndRotatedRefreshTokenReplaceTheOldOnesAndNothingElseChanges()
    {
        var path = Write("config", $"""
            # Edited by hand: comments, quoting and order stay.
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster: {"{"}server: "https://cluster.example:6443"{"}"}
            users:
            - name: other   # another user
              user: {"{"}token: other-token{"}"}
            - name: dev
              user:
                auth-provider:
                  name: oidc
                  config:
                    idp-issuer-url: {issuer.Issuer}   # the realm
                    client-id: kubernetes
                    client-secret: secret
                    id-token: '{expired}'
                    refresh-token: "rt-1"
                    idp-certificate-authority-data: {Ca()}
            contexts:
            - name: dev
              context: {"{"}cluster: c, user: dev{"}"}
            current-context: dev

            """);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        var original = File.ReadAllText(path);

        var token = await RefreshAsync(Resolve(path));

        var live = issuer.LiveRefreshToken!;
        token.Should().Be(issuer.IssuedIdTokens.Single());
        live.Should().NotBe("rt-1", "the stand-in rotates refresh tokens");
        File.ReadAllText(path).Should().Be(original.Replace($"'{expired}'", token, StringComparison.Ordinal).Replace("\"rt-1\"", live, StringComparison.Ordinal));
        File.GetUnixFileMode(path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        folder.GetFiles().Select(f => f.Name).Should().Equal(["config"], "the temporary file was renamed over it and the lock removed");

        // The next process starts with the saved id-token: no refresh.
        (await Header(Resolve(path))).Should().Be(token);
        issuer.Refreshes.Should().Be(1);
        logs.Lines.Should().Contain(line => line.Contains($"Saved the refreshed id-token and refresh-token of kubeconfig user dev in {path}", StringComparison.Ordinal));
        NoTokenIn(logs, token, live);
    }

    [Fact]
    public async Task WithSeveralKubeconfigFilesTheFileThatDefinesTheUserIsWritten()
    {
        var main = Write("main", """
            clusters:
            - name: c
              cluster: {server: "https://cluster.example:6443"}
            contexts:
            - name: dev
              context: {cluster: c, user: dev}
            current-context: dev
            users:
            - name: other
              user: {token: other-token}
            """);
        var defining = Write("dev-user", $"""
            users:
            - name: dev
              user:
                auth-provider:
                  name: oidc
                  config:
                    idp-issuer-url: {issuer.Issuer}
                    client-id: kubernetes
                    client-secret: secret
                    id-token: {expired}
                    refresh-token: rt-1
                    idp-certificate-authority-data: {Ca()}
            """);
        // A later file's user of the same name is ignored when merging, as kubectl ignores it: it is not written either.
        var shadowed = Write("shadowed", $"""
            users:
            - name: dev
              user:
                auth-provider:
                  name: oidc
                  config: {"{"}idp-issuer-url: "{issuer.Issuer}", client-id: kubernetes, id-token: {expired}, refresh-token: rt-1{"}"}
            """);
        var before = (Main: File.ReadAllText(main), Defining: File.ReadAllText(defining), Shadowed: File.ReadAllText(shadowed));
        var variable = string.Join(Path.PathSeparator, main, defining, shadowed);

        var token = await RefreshAsync(KubernetesConfigResolver.Resolve(null, null, new KubernetesEnvironment(variable, InCluster: false, "/nonexistent")));

        File.ReadAllText(defining).Should().Be(before.Defining.Replace(expired, token, StringComparison.Ordinal).Replace("rt-1", issuer.LiveRefreshToken, StringComparison.Ordinal));
        File.ReadAllText(main).Should().Be(before.Main);
        File.ReadAllText(shadowed).Should().Be(before.Shadowed);
    }

    [Fact]
    public async Task AMissingIdTokenKeyIsAddedToAFlowConfigThroughASymbolicLink()
    {
        var target = Write("real-config", $$$"""
            users:
            - name: dev
              user:
                auth-provider: {name: oidc, config: {idp-issuer-url: "{{{issuer.Issuer}}}", client-id: kubernetes, client-secret: secret, refresh-token: rt-1, idp-certificate-authority-data: {{{Ca()}}}}}
            clusters: [{name: c, cluster: {server: "https://cluster.example:6443"}}]
            contexts: [{name: dev, context: {cluster: c, user: dev}}]
            current-context: dev
            """);
        var link = Path.Combine(folder.FullName, "config");
        File.CreateSymbolicLink(link, target);
        var original = File.ReadAllText(target);

        var token = await RefreshAsync(Resolve(link));

        File.ResolveLinkTarget(link, returnFinalTarget: false)!.FullName.Should().Be(target, "the link stays a link; the file it names is replaced");
        File.ReadAllText(target).Should().Be(original
            .Replace("refresh-token: rt-1", $"refresh-token: {issuer.LiveRefreshToken}", StringComparison.Ordinal)
            .Replace($"{Ca()}}}}}", $"{Ca()}, id-token: {token}}}}}", StringComparison.Ordinal));
        (await Header(Resolve(link))).Should().Be(token);
    }

    [Fact]
    public async Task AMissingIdTokenKeyIsAddedAsTheBlockConfigsLastLineWithTheFilesLineEndings()
    {
        var path = Write("config", string.Join("\r\n",
            "users:",
            "- name: dev",
            "  user:",
            "    auth-provider:",
            "      name: oidc",
            "      config:",
            $"        idp-issuer-url: {issuer.Issuer}",
            "        client-id: kubernetes",
            "        client-secret: secret",
            "        refresh-token: rt-1",
            $"        idp-certificate-authority-data: {Ca()}  # the issuer's CA",
            "clusters:",
            "- {name: c, cluster: {server: \"https://cluster.example:6443\"}}",
            "contexts:",
            "- {name: dev, context: {cluster: c, user: dev}}",
            "current-context: dev",
            ""));
        var original = File.ReadAllText(path);

        var token = await RefreshAsync(Resolve(path));

        File.ReadAllText(path).Should().Be(original
            .Replace("refresh-token: rt-1", $"refresh-token: {issuer.LiveRefreshToken}", StringComparison.Ordinal)
            .Replace("the issuer's CA\r\n", $"the issuer's CA\r\n        id-token: {token}\r\n", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AKubeconfigLockedByAnotherWriterIsLeftAloneWithAWarningAndTheRequestGoesOn()
    {
        var path = Write("config", Kubeconfig());
        var original = File.ReadAllText(path);
        // kubectl (client-go's ModifyConfig) holds <file>.lock while it writes the file.
        File.WriteAllText(path + ".lock", "");

        var token = await RefreshAsync(Resolve(path));

        token.Should().Be(issuer.IssuedIdTokens.Single());
        File.ReadAllText(path).Should().Be(original);
        File.Exists(path + ".lock").Should().BeTrue("another program's lock is not ours to remove");
        logs.Lines.Should().ContainSingle(line => line.StartsWith("Warning", StringComparison.Ordinal)).Which.Should()
            .Contain($"Could not save the refreshed OIDC tokens of kubeconfig user dev in {path}: {path}.lock exists")
            .And.Contain("the issuer rotated the refresh-token: the one in the file is no longer valid, so once this process exits a new login is needed");
        NoTokenIn(logs, token, issuer.LiveRefreshToken!);
    }

    [Fact]
    public async Task AKubeconfigThatCannotBeWrittenAnyMoreCostsAWarningNotTheRequest()
    {
        var path = Write("config", Kubeconfig());
        var resolved = Resolve(path);
        // Replaced by a folder after it was read (root passes any permission check, so a read-only file would not do).
        File.Delete(path);
        Directory.CreateDirectory(path);

        var token = await RefreshAsync(resolved);

        token.Should().Be(issuer.IssuedIdTokens.Single());
        logs.Lines.Should().ContainSingle(line => line.StartsWith("Warning", StringComparison.Ordinal)).Which.Should()
            .Contain($"Could not save the refreshed OIDC tokens of kubeconfig user dev in {path}:");
        NoTokenIn(logs, token, issuer.LiveRefreshToken!);
    }

    private string Kubeconfig() => $"""
        clusters:
        - name: c
          cluster: {"{"}server: "https://cluster.example:6443"{"}"}
        users:
        - name: dev
          user:
            auth-provider:
              name: oidc
              config:
                idp-issuer-url: {issuer.Issuer}
                client-id: kubernetes
                client-secret: secret
                id-token: {expired}
                refresh-token: rt-1
                idp-certificate-authority-data: {Ca()}
        contexts:
        - name: dev
          context: {"{"}cluster: c, user: dev{"}"}
        current-context: dev
        """;

    private string Ca() => Convert.ToBase64String(Encoding.ASCII.GetBytes(issuer.CaPem));

    private string Write(string name, string text)
    {
        var path = Path.Combine(folder.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static KubernetesConfigResolution Resolve(string path) =>
        KubernetesConfigResolver.Resolve(path, null, new KubernetesEnvironment(null, InCluster: false, "/nonexistent"));

    // Builds the client as the operator does (binding the issuer's client and the logger), then asks for the bearer.
    private async Task<string> RefreshAsync(KubernetesConfigResolution resolved)
    {
        var token = await Header(resolved);
        issuer.Refreshes.Should().Be(1);
        return token;
    }

    private async Task<string> Header(KubernetesConfigResolution resolved)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        KubernetesConfigResolution.AddKubeconfigHttpClients(services);
        await using var provider = services.BuildServiceProvider();
        using var client = resolved.CreateClient(provider);
        return (await resolved.Configuration.TokenProvider!.GetAuthenticationHeaderAsync(CancellationToken.None)).Parameter!;
    }

    private void NoTokenIn(CapturedLogs captured, params string[] tokens)
    {
        captured.Lines.Should().NotBeEmpty();
        foreach (var secret in tokens.Append(expired).Append("rt-1"))
        {
            captured.Lines.Should().NotContain(line => line.Contains(secret, StringComparison.Ordinal));
        }
    }
}
