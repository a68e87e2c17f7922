// Test names are sentences.

using DirectoryConnector.TestSupport.Bitwarden;
using DirectoryConnector.TestSupport.Http;
using DirectoryConnector.TestSupport.Ldap;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Cli.Tests.EndToEnd;

/// <summary>`sync` against a self-hosted Bitwarden over HTTPS whose certificate a private CA issued, directly and through
/// a proxy named by the environment.</summary>
public sealed class PrivateCaAndProxyTests : IAsyncLifetime
{
    private static readonly TestCertificates Pki = TestCertificates.Create("Corp Issuing CA");
    private BitwardenStandIn standIn = null!;
    private TestWorkspace workspace = null!;

    public async Task InitializeAsync()
    {
        standIn = await BitwardenStandIn.StartAsync(new BitwardenStandInOptions { Certificate = Pki.ServerCertificate(), PathPrefix = "/vault" });
        workspace = new TestWorkspace(standIn).User("Alice").User("Bob").Group("Engineering", "Alice", "Bob");
        workspace.WriteDirectory();
    }

    public async Task DisposeAsync()
    {
        workspace.Dispose();
        await standIn.DisposeAsync();
    }

    private Task<CliResult> SyncAsync() => CliRunner.RunAsync("sync", "-f", workspace.ManifestPath, "--state", workspace.StatePath);

    [Fact]
    public async Task With_ca_secret_ref_the_sync_reaches_the_server()
    {
        workspace.TrustCa(Pki.CaPem);

        var result = await SyncAsync();

        result.ExitCode.Should().Be(0, result.ToString());
        standIn.Organization.Members.Select(m => m.Email).Should().BeEquivalentTo("alice@example.com", "bob@example.com");
    }

    [Fact]
    public async Task Without_ca_secret_ref_the_error_names_the_url_the_untrusted_issuer_and_the_field()
    {
        var result = await SyncAsync();

        result.ExitCode.Should().Be(1, result.ToString());
        result.Error.Should().Contain("BitwardenUnavailable").And.Contain($"{standIn.TokenUrl}").And.Contain("is not trusted by the system trust store")
            .And.Contain("'CN=Corp Issuing CA").And.Contain("spec.bitwarden.caSecretRef").And.NotContain(standIn.ClientSecret);
        standIn.Requests.Should().BeEmpty();
        File.Exists(workspace.StatePath).Should().BeTrue("the failed attempt is recorded");
    }

    [Fact]
    public async Task Https_proxy_from_the_environment_carries_the_sync_through_a_connect_tunnel()
    {
        workspace.TrustCa(Pki.CaPem);
        await using var proxy = LoopbackProxy.Start();

        var result = await RunProcessAsync(new() { ["HTTPS_PROXY"] = proxy.Url.ToString(), ["NO_PROXY"] = "" });

        result.ExitCode.Should().Be(0, result.ToString());
        proxy.RequestLines.Should().NotBeEmpty().And.OnlyContain(line => line == $"CONNECT 127.0.0.1:{standIn.BaseUrl.Port} HTTP/1.1");
        standIn.ImportRequests.Should().ContainSingle().Which.StatusCode.Should().Be(200);
    }

    [Fact]
    public async Task No_proxy_sends_the_listed_hosts_directly()
    {
        workspace.TrustCa(Pki.CaPem);
        await using var proxy = LoopbackProxy.Start();

        var result = await RunProcessAsync(new() { ["HTTPS_PROXY"] = proxy.Url.ToString(), ["NO_PROXY"] = "localhost,127.0.0.1" });

        result.ExitCode.Should().Be(0, result.ToString());
        proxy.RequestLines.Should().BeEmpty();
        standIn.ImportRequests.Should().ContainSingle();
    }

    /// <summary>The proxy settings are read once per process (HttpClient.DefaultProxy): run the real executable with them.</summary>
    private async Task<CliResult> RunProcessAsync(Dictionary<string, string> environment)
    {
        var applied = new Dictionary<string, string?>();
        foreach (var name in new[] { "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy", "no_proxy" })
        {
            applied[name] = null;
        }

        foreach (var (name, value) in environment)
        {
            applied[name] = value;
        }

        using var process = CliProcess.Start(CliProcess.BuiltExecutable, ["sync", "-f", workspace.ManifestPath, "--state", workspace.StatePath], applied);
        var exitCode = await process.WaitForExitAsync(TimeSpan.FromMinutes(2));
        exitCode.Should().NotBeNull($"the sync did not exit within 2 minutes\n{process}");
        return new CliResult(exitCode!.Value, process.Output, process.Error);
    }
}
