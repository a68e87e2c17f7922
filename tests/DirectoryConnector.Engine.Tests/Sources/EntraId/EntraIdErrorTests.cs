using DirectoryConnector.Engine.Sources.EntraId;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.TestSupport.EntraId;
using FluentAssertions;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using static DirectoryConnector.Engine.Tests.Sources.EntraId.EntraIdTestKit;

namespace DirectoryConnector.Engine.Tests.Sources.EntraId;

public sealed class EntraIdErrorTests : EntraIdStandInTest
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        SeedTeam();
    }

    [Fact]
    public async Task A_wrong_client_secret_names_clientSecretRef_and_never_the_secret()
    {
        const string wrong = "not-the-secret-value-4711";

        var failure = await Read(Source(StandIn, secret: wrong));

        failure.Reason.Should().Be(SyncFailureReason.SourceAuthFailed);
        failure.Message.Should().Contain("AADSTS7000215").And.Contain("spec.source.entraId.clientSecretRef").And.NotContain(wrong);
        failure.Retryable.Should().BeFalse();
        StandIn.GraphRequests.Should().BeEmpty();
    }

    [Fact]
    public async Task An_unknown_application_names_applicationId()
    {
        var spec = Spec(StandIn);
        spec.ApplicationId = "99999999-9999-9999-9999-999999999999";

        var failure = await Read(Source(StandIn, spec));

        failure.Reason.Should().Be(SyncFailureReason.SourceAuthFailed);
        failure.Message.Should().Contain("AADSTS700016").And.Contain("spec.source.entraId.applicationId");
    }

    [Fact]
    public async Task An_unknown_tenant_names_tenant()
    {
        var spec = Spec(StandIn);
        spec.Tenant = "fabrikam.onmicrosoft.com";

        var failure = await Read(Source(StandIn, spec));

        failure.Reason.Should().Be(SyncFailureReason.SourceAuthFailed);
        failure.Message.Should().Contain("AADSTS90002").And.Contain("spec.source.entraId.tenant");
    }

    [Fact]
    public async Task The_primary_domain_works_in_place_of_the_tenant_id()
    {
        var spec = Spec(StandIn);
        spec.Tenant = StandIn.TenantDomain;

        (await Source(StandIn, spec).ReadAsync()).Users.Should().HaveCount(5);
    }

    [Fact]
    public async Task A_missing_permission_names_the_permissions_to_grant()
    {
        StandIn.GrantedPermissions.Remove("User.Read.All");

        var failure = await Read(Source(StandIn));

        failure.Reason.Should().Be(SyncFailureReason.SourceAuthFailed);
        failure.Message.Should().Contain("Authorization_RequestDenied").And.Contain("User.Read.All").And.Contain("GroupMember.Read.All")
            .And.NotContain("AdministrativeUnit.Read.All");
    }

    [Fact]
    public async Task A_missing_permission_for_an_administrative_unit_filter_names_AdministrativeUnit_Read_All()
    {
        StandIn.GrantedPermissions.Remove("AdministrativeUnit.Read.All");
        Tenant.AddAdministrativeUnit(IdOf("au-1"), IdOf("eng"));

        var failure = await Read(Source(StandIn, groups: "includeAdministrativeUnit:" + IdOf("au-1")));

        failure.Message.Should().Contain("AdministrativeUnit.Read.All");
    }

    [Fact]
    public async Task A_token_that_expires_mid_sync_is_replaced_once_and_the_read_completes()
    {
        StandIn.ExpireTokensAfter(2);

        var snapshot = await Source(StandIn).ReadAsync();

        snapshot.Users.Should().HaveCount(5);
        snapshot.Groups.Single().MemberReferences.Should().HaveCount(2);
        StandIn.TokenRequests.Should().HaveCount(2);
        StandIn.GraphRequests.Count(r => r.StatusCode == 401).Should().Be(1);
    }

    [Fact]
    public async Task A_token_graph_keeps_refusing_fails_the_sync_after_one_renewal()
    {
        var source = Source(StandIn);
        await source.ReadAsync();
        StandIn.ExpireTokensAfter(0);
        StandIn.ClientSecret = "rotated"; // the renewal cannot get a new token either

        var failure = await Read(source);

        failure.Reason.Should().Be(SyncFailureReason.SourceAuthFailed);
        StandIn.TokenRequests.Should().HaveCount(2);
    }

    [Fact]
    public async Task Throttling_is_retried_after_Retry_After_and_the_read_ends_as_an_unthrottled_one()
    {
        var unthrottled = await Source(StandIn).ReadAsync();
        var before = StandIn.GraphRequests.Count;
        StandIn.FailNext(2, 429, retryAfter: "1");
        StandIn.FailNext(1, 503, retryAfter: "1");

        var throttled = await Source(StandIn).ReadAsync();

        throttled.Users.Should().BeEquivalentTo(unthrottled.Users);
        throttled.Groups.Should().BeEquivalentTo(unthrottled.Groups);
        var requests = StandIn.GraphRequests.Skip(before).ToList();
        requests.Take(3).Select(r => r.StatusCode).Should().Equal(429, 429, 503);
        for (var i = 1; i <= 3; i++)
        {
            (requests[i].Time - requests[i - 1].Time).Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(0.9), "Retry-After: 1 is honoured");
        }
    }

    [Fact]
    public async Task Throttling_past_the_retry_budget_fails_as_unavailable_and_retryable()
    {
        StandIn.FailNext(MaxAttempts, 429, retryAfter: "0");

        var failure = await Read(Source(StandIn));

        failure.Reason.Should().Be(SyncFailureReason.SourceUnavailable);
        failure.Retryable.Should().BeTrue();
        failure.Message.Should().Contain("429");
    }

    [Fact]
    public async Task Without_the_ca_the_stand_in_certificate_is_not_trusted_and_caSecretRef_is_named()
    {
        var source = EntraIdSourceFactory.Create(Spec(StandIn), Filter(), StandIn.ClientSecret, null, caPem: null, HttpClients, NullLoggerFactory.Instance);

        var failure = await Read(source);

        failure.Reason.Should().Be(SyncFailureReason.SourceUnavailable);
        failure.Message.Should().Contain("spec.source.entraId.caSecretRef");
    }

    [Fact]
    public async Task An_authority_host_that_does_not_resolve_says_why_once_and_names_authorityHost()
    {
        var spec = Spec(StandIn);
        spec.AuthorityHost = "https://login.unresolvable.invalid/";

        var failure = await Read(Source(StandIn, spec));

        // Azure.Identity's wrapper, HttpClient's and the resolver's messages each carry the resolver's cause.
        var cause = Innermost(failure).Message.TrimEnd('.');
        failure.Reason.Should().Be(SyncFailureReason.SourceUnavailable);
        failure.Message.Should().StartWith("Microsoft Entra ID at https://login.unresolvable.invalid/ could not be reached for signing in")
            .And.Contain("spec.source.entraId.authorityHost");
        failure.Message.Split(cause).Should().HaveCount(2, $"the cause \"{cause}\" is said once in: {failure.Message}");
    }

    private static Exception Innermost(Exception exception)
    {
        while (exception.InnerException is { } inner)
        {
            exception = inner;
        }

        return exception;
    }

    private static async Task<SyncFailedException> Read(Engine.Sources.IDirectorySource source)
        => (await FluentActions.Awaiting(() => source.ReadAsync()).Should().ThrowAsync<SyncFailedException>()).Which;
}
