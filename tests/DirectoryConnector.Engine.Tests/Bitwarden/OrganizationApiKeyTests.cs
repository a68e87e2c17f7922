// Test names are sentences.

using DirectoryConnector.Engine.Bitwarden;
using DirectoryConnector.Engine.Sync;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Bitwarden;

public class OrganizationApiKeyTests
{
    private const string OrganizationId = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
    private const string Secret = "s3cretValueThatMustNotLeak0123";

    [Fact]
    public void Parses_the_organization_and_trims_the_newline_a_secret_file_leaves()
    {
        var key = new OrganizationApiKey($"organization.{OrganizationId.ToUpperInvariant()}\n", Secret + "\n");

        key.OrganizationId.Should().Be(OrganizationId);
        key.ClientId.Should().Be($"organization.{OrganizationId}");
    }

    [Fact]
    public void ToString_redacts_the_secret()
    {
        var key = new OrganizationApiKey($"organization.{OrganizationId}", Secret);

        key.ToString().Should().Contain(OrganizationId).And.NotContain(Secret);
        $"{key}".Should().NotContain(Secret);
    }

    [Theory]
    [InlineData("user.3fa85f64-5717-4562-b3fc-2c963f66afa6")]
    [InlineData("organization.not-a-guid")]
    [InlineData("3fa85f64-5717-4562-b3fc-2c963f66afa6")]
    [InlineData("")]
    [InlineData(Secret)]
    public void A_client_id_that_is_not_organization_guid_is_invalid_spec_without_the_value(string clientId)
    {
        var act = () => new OrganizationApiKey(clientId, Secret);

        var failure = act.Should().Throw<SyncFailedException>().Which;
        failure.Reason.Should().Be(SyncFailureReason.InvalidSpec);
        failure.Message.Should().Contain("clientIdKey").And.Contain("organization.<organization id>").And.NotContain(Secret);
        if (clientId.Length > 0)
        {
            failure.Message.Should().NotContain(clientId);
        }
    }

    [Fact]
    public void An_empty_secret_is_invalid_spec()
    {
        var act = () => new OrganizationApiKey($"organization.{OrganizationId}", " \n");

        act.Should().Throw<SyncFailedException>().Which.Message.Should().Contain("clientSecretKey");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("3FA85F64-5717-4562-B3FC-2C963F66AFA6")]
    [InlineData("{3fa85f64-5717-4562-b3fc-2c963f66afa6}")]
    public void Spec_organization_id_that_agrees_or_is_unset_is_accepted(string? specOrganizationId)
    {
        var key = new OrganizationApiKey($"organization.{OrganizationId}", Secret);

        key.Invoking(k => k.EnsureOrganization(specOrganizationId)).Should().NotThrow();
    }

    [Theory]
    [InlineData("11111111-2222-3333-4444-555555555555", "does not match")]
    [InlineData("acme", "is not an organization id")]
    public void Spec_organization_id_that_disagrees_is_invalid_spec_naming_the_field(string specOrganizationId, string problem)
    {
        var key = new OrganizationApiKey($"organization.{OrganizationId}", Secret);

        var failure = key.Invoking(k => k.EnsureOrganization(specOrganizationId)).Should().Throw<SyncFailedException>().Which;
        failure.Reason.Should().Be(SyncFailureReason.InvalidSpec);
        failure.Message.Should().Contain("spec.bitwarden.organizationId").And.Contain(problem).And.NotContain(Secret);
    }
}
