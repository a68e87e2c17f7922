// Test names are sentences.

using DirectoryConnector.Engine.Bitwarden;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.Engine.Tests.Sources;
using DirectoryConnector.TestSupport.Bitwarden;
using DirectoryConnector.TestSupport.Ldap;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using DirectoryConnector.Engine.Sources.File;
using DirectoryConnector.TestSupport;
using Xunit;
using static DirectoryConnector.Engine.Tests.Bitwarden.BitwardenTestKit;

namespace DirectoryConnector.Engine.Tests.Bitwarden;

/// <summary>A self-hosted Bitwarden over HTTPS with a certificate from a private CA (field case: bitwarden/directory-connector#259).</summary>
public sealed class BitwardenPrivateCaTests : IAsyncLifetime
{
    private static readonly TestCertificates Pki = TestCertificates.Create("Corp Private Root CA");
    private readonly InMemoryReferences references = new();
    private BitwardenStandIn standIn = null!;
    private ServiceProvider services = null!;

    public async Task InitializeAsync()
    {
        standIn = await BitwardenStandIn.StartAsync(new BitwardenStandInOptions { Certificate = Pki.ServerCertificate(), PathPrefix = "/vault" });
        references.Secrets[("bw-key", "client_id")] = standIn.ClientId;
        references.Secrets[("bw-key", "client_secret")] = standIn.ClientSecret;
        references.Secrets[("corp-ca", "ca.crt")] = Pki.CaPem;
        // The production retry budget (4 tries) with short delays: a TLS failure must still be tried once only.
        services = new ServiceCollection().AddDirectoryConnectorEngine()
            .Configure<BitwardenClientOptions>(o =>
            {
                o.BaseRetryDelay = TimeSpan.FromMilliseconds(10);
            })
            .BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await services.DisposeAsync();
        await standIn.DisposeAsync();
    }

    private DirectorySyncSpec Spec(SecretKeyRef? ca, string? serverUrl = null) => new()
    {
        Bitwarden = new BitwardenSpec { ServerUrl = serverUrl ?? standIn.BaseUrl.ToString(), ApiKeySecretRef = new ApiKeySecretRef { Name = "bw-key" }, CaSecretRef = ca },
        Source = new SourceSpec { File = new FileSourceSpec { Path = "unused.ldif" } },
    };

    private Task<SyncOutcome> SyncAsync(DirectorySyncSpec spec) =>
        services.GetRequiredService<SyncEngine>().SyncAsync(EngineServices.Validator.Check(spec), new TwoUsers(), references, previous: null, new SyncRunOptions(), CancellationToken.None);

    [Fact]
    public async Task The_sync_succeeds_when_ca_secret_ref_holds_the_private_CA()
    {
        var outcome = await SyncAsync(Spec(new SecretKeyRef { Name = "corp-ca", Key = "ca.crt" }));

        outcome.Result.Should().Be(SyncResult.Synced);
        standIn.BaseUrl.Scheme.Should().Be("https");
        MemberSummary(standIn).Should().Equal("ann@corp.example.com Invited", "bob@corp.example.com Invited");
    }

    [Fact]
    public async Task Without_ca_secret_ref_the_sync_fails_once_naming_the_url_the_cause_and_the_field()
    {
        var act = () => SyncAsync(Spec(ca: null));

        var failure = (await act.Should().ThrowAsync<SyncFailedException>()).Which;
        failure.Reason.Should().Be(SyncFailureReason.BitwardenUnavailable);
        failure.Retryable.Should().BeFalse("the certificate will be the same on the next try");
        failure.Message.Should().Contain($"{standIn.TokenUrl}").And.Contain("is not trusted by the system trust store")
            .And.Contain("issued by 'CN=Corp Private Root CA").And.Contain("spec.bitwarden.caSecretRef");
        standIn.Connections.Should().Be(1, "a TLS failure is not retried");
        standIn.Requests.Should().BeEmpty();
        standIn.Organization.Members.Should().BeEmpty();
    }

    [Fact]
    public async Task The_CA_of_another_PKI_is_refused_with_the_bundle_named()
    {
        references.Secrets[("other-ca", "ca.crt")] = TestCertificates.Create("Some Other CA").CaPem;

        var act = () => SyncAsync(Spec(new SecretKeyRef { Name = "other-ca", Key = "ca.crt" }));

        var failure = (await act.Should().ThrowAsync<SyncFailedException>()).Which;
        failure.Retryable.Should().BeFalse();
        failure.Message.Should().Contain("does not chain to a CA in the bundle from spec.bitwarden.caSecretRef");
        standIn.Connections.Should().Be(1);
    }

    [Fact]
    public async Task A_ca_secret_ref_without_a_certificate_is_invalid_and_not_quoted()
    {
        references.Secrets[("corp-ca", "ca.crt")] = "client_secret=doNotLeakMe";

        var act = () => SyncAsync(Spec(new SecretKeyRef { Name = "corp-ca", Key = "ca.crt" }));

        var failure = (await act.Should().ThrowAsync<SyncFailedException>()).Which;
        failure.Reason.Should().Be(SyncFailureReason.InvalidSpec);
        failure.Message.Should().Contain("spec.bitwarden.caSecretRef").And.Contain("holds no PEM certificate").And.NotContain("doNotLeakMe");
        standIn.Connections.Should().Be(0);
    }

    [Fact]
    public async Task A_missing_ca_secret_is_secret_not_found()
    {
        var act = () => SyncAsync(Spec(new SecretKeyRef { Name = "absent", Key = "ca.crt" }));

        (await act.Should().ThrowAsync<SyncFailedException>()).Which.Reason.Should().Be(SyncFailureReason.SecretNotFound);
    }

    [Fact]
    public async Task A_server_url_without_the_path_prefix_is_reported_as_a_wrong_url_not_an_import_failure()
    {
        var withoutPrefix = standIn.BaseUrl.GetLeftPart(UriPartial.Authority);

        var act = () => SyncAsync(Spec(new SecretKeyRef { Name = "corp-ca", Key = "ca.crt" }, serverUrl: withoutPrefix));

        var failure = (await act.Should().ThrowAsync<SyncFailedException>()).Which;
        failure.Reason.Should().Be(SyncFailureReason.InvalidSpec);
        failure.Retryable.Should().BeFalse();
        failure.Message.Should().Contain($"{withoutPrefix}/identity/connect/token answered 404").And.Contain("spec.bitwarden.serverUrl")
            .And.Contain("path prefix");
        standIn.TokenRequests.Should().ContainSingle("a 404 is not retried");
    }

    [Theory]
    [InlineData("another-name", "is not valid for the host name '127.0.0.1'", "caSecretRef cannot fix a name mismatch")]
    [InlineData("expired", "expired on", "renew it on the server")]
    public async Task A_certificate_for_another_name_or_an_expired_one_fails_once_naming_the_url_and_that_cause(string certificate, string cause, string fix)
    {
        using var served = certificate == "expired" ? Pki.ExpiredServerCertificate() : Pki.ServerCertificateFor("vault.corp.example");
        await using var other = await BitwardenStandIn.StartAsync(new BitwardenStandInOptions { Certificate = served, PathPrefix = "/vault" });
        references.Secrets[("bw-key", "client_id")] = other.ClientId;
        references.Secrets[("bw-key", "client_secret")] = other.ClientSecret;

        var act = () => SyncAsync(Spec(new SecretKeyRef { Name = "corp-ca", Key = "ca.crt" }, serverUrl: other.BaseUrl.ToString()));

        var failure = (await act.Should().ThrowAsync<SyncFailedException>()).Which;
        failure.Reason.Should().Be(SyncFailureReason.BitwardenUnavailable);
        failure.Retryable.Should().BeFalse("the certificate will be the same on the next try");
        failure.Message.Should().Contain($"{other.TokenUrl}").And.Contain(cause).And.Contain(fix).And.NotContain("is not trusted");
        other.Connections.Should().Be(1, "a TLS failure is not retried");
        other.Organization.Members.Should().BeEmpty();
    }

    [Theory]
    [InlineData("", "ca.crt", "spec.bitwarden.caSecretRef.name")]
    [InlineData("corp-ca", " ", "spec.bitwarden.caSecretRef.key")]
    public void A_ca_secret_ref_needs_a_name_and_a_key(string name, string key, string field)
    {
        EngineServices.Validator.Validate(Spec(new SecretKeyRef { Name = name, Key = key })).Should().ContainSingle(error => error.ToString().Contains(field));
    }

    private sealed class TwoUsers : IDirectorySource
    {
        private static readonly string[] Names = ["ann", "bob"];

        public Task<DirectorySnapshot> ReadAsync(DirectoryQuery query, CancellationToken cancellationToken) =>
            Task.FromResult(new DirectorySnapshot
            {
                Users = [.. Names.Select(n => new DirectoryUser($"uid={n}", $"uid={n}", $"{n}@corp.example.com", Disabled: false, Deleted: false, $"uid={n}"))],
                Groups = [],
            });
    }
}
