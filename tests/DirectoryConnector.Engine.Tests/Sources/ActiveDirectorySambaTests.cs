using DirectoryConnector.Engine.Planning;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.Ldap;
using DirectoryConnector.TestSupport.Ldap;
using FluentAssertions;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using Xunit.Abstractions;

namespace DirectoryConnector.Engine.Tests.Sources;

[Collection(SambaCollectionDefinition.Name)]
public sealed class ActiveDirectorySambaTests(SambaFixture fixture, ITestOutputHelper output)
{
    private static readonly DirectoryQuery Everything = new(Users: true, Groups: true, IncludeDeleted: false);

    // The DC requires strong auth (its default): every read binds over LDAPS, trusting the DC's CA through the spec.
    private LdapSourceSpec Spec(string? userPath = "OU=Corp", LdapEncryption encryption = LdapEncryption.Ldaps) => fixture.Controller.SourceSpec(encryption, userPath);

    private Task<DirectorySnapshot> ReadAsync(LdapSourceSpec spec, DirectoryQuery? query = null, LdapSourceOptions? options = null)
        => LdapSource.Create(spec, null, SambaDomainController.AdministratorPassword, CaFor(spec), options ?? new LdapSourceOptions(), NullLogger<LdapSource>.Instance)
            .ReadAsync(query ?? Everything, CancellationToken.None);

    private string? CaFor(LdapSourceSpec spec) => spec.CaSecretRef is null ? null : fixture.Controller.CaPem;

    private string Guid(string samAccountName) => fixture.Controller.ObjectGuids[samAccountName];

    [Fact]
    public async Task Only_real_user_accounts_are_users_not_computers_or_contacts()
    {
        output.WriteLine($"Samba DC: provision {fixture.Controller.ProvisionTime.TotalSeconds:F1} s, seed {fixture.Controller.SeedTime.TotalSeconds:F1} s, start {fixture.Controller.StartTime.TotalSeconds:F1} s");

        var snapshot = await ReadAsync(Spec());

        snapshot.Users.Select(user => user.ExternalId).Should().BeEquivalentTo(SambaSeed.CorpUsers.Select(Guid),
            "WS01$ is a user object and Connie a person, but neither is a user account (sAMAccountType 805306368)");
    }

    [Fact]
    public async Task ObjectGuid_is_the_external_id_in_the_text_form_active_directory_tools_show()
    {
        var snapshot = await ReadAsync(Spec());

        var alice = snapshot.Users.Single(user => user.Email == "alice@test.local");
        alice.ExternalId.Should().Be(Guid("alice"));
        alice.ReferenceId.Should().Be(DistinguishedName.Parse("CN=Alice Adams,OU=Corp,DC=test,DC=local").Canonical);
        snapshot.Groups.Single(group => group.Name == "Outer").ExternalId.Should().Be(Guid("Outer"));
    }

    [Fact]
    public async Task Disabled_accounts_are_flagged_and_a_user_without_mail_is_still_reported()
    {
        var snapshot = await ReadAsync(Spec());

        snapshot.Users.Where(user => user.Disabled).Select(user => user.ExternalId).Should().Equal(Guid(SambaSeed.DisabledUser));
        snapshot.Users.Single(user => user.ExternalId == Guid(SambaSeed.UserWithoutMail)).Email.Should().BeNull();
    }

    [Fact]
    public async Task Domain_users_gets_its_members_from_primaryGroupID_which_samba_never_lists_in_member()
    {
        var snapshot = await ReadAsync(Spec());

        var domainUsers = snapshot.Groups.Single(group => group.Name == "Domain Users");
        domainUsers.MemberReferences.Should().BeEquivalentTo(snapshot.Users.Select(user => user.ReferenceId),
            "every account in OU=Corp has primaryGroupID 513, the RID of Domain Users' objectSid");
        var plan = ImportPlanner.Plan(snapshot, new SyncOptionsSpec(), "scope");
        plan.Groups.Single(group => group.Name == "Domain Users").MemberExternalIds.Should().BeEquivalentTo(
            SambaSeed.CorpUsers.Where(user => user != SambaSeed.UserWithoutMail).Select(Guid), "dave has no mail, so he is no member to list");
    }

    [Fact]
    public async Task Nested_groups_are_referenced_by_dn()
    {
        var snapshot = await ReadAsync(Spec());

        var outer = snapshot.Groups.Single(group => group.Name == "Outer");
        var inner = snapshot.Groups.Single(group => group.Name == "Inner");
        var alice = snapshot.Users.Single(user => user.ExternalId == Guid("alice"));
        outer.MemberReferences.Should().BeEquivalentTo(inner.ReferenceId, alice.ReferenceId);
        inner.MemberReferences.Should().BeEquivalentTo(
            snapshot.Users.Where(user => user.ExternalId == Guid("bob") || user.ExternalId == Guid("carol")).Select(user => user.ReferenceId));
    }

    [Theory]
    [InlineData(null, 0)] // one request: Samba imposes no window, so no range is returned
    [InlineData(500, 4)] // 0-499, 500-999, 1000-1499, 1500-*
    [InlineData(1500, 2)] // Windows' default window: 0-1499, then 1500-*
    public async Task A_group_with_more_than_1500_members_is_read_completely(int? window, int chunks)
    {
        var spec = Spec(userPath: "OU=Bulk");
        spec.PageSize = 400;
        var logger = new RecordingLogger<LdapSource>();

        var snapshot = await LdapSource.Create(spec, null, SambaDomainController.AdministratorPassword, fixture.Controller.CaPem,
            new LdapSourceOptions { MemberRangeWindow = window }, logger).ReadAsync(Everything, CancellationToken.None);

        var ranged = logger.Entries.Where(entry => entry.Properties.ContainsKey("Chunks") && Equals(entry.Properties["Group"], SambaDomainController.BigGroupDn)).ToList();
        if (chunks == 0)
        {
            ranged.Should().BeEmpty();
        }
        else
        {
            ranged.Should().ContainSingle().Which.Properties["Chunks"].Should().Be(chunks);
        }

        snapshot.Users.Should().HaveCount(SambaFixture.BulkUsers, "paged in pages of 400");
        var big = snapshot.Groups.Single(group => group.Name == "Big");
        big.MemberReferences.Should().HaveCount(SambaFixture.BulkUsers).And.BeEquivalentTo(snapshot.Users.Select(user => user.ReferenceId));
    }

    [Fact]
    public async Task Deleted_users_are_read_only_when_asked_and_matched_by_objectGuid()
    {
        var withoutDeleted = await ReadAsync(Spec());
        var withDeleted = await ReadAsync(Spec(), new DirectoryQuery(Users: true, Groups: false, IncludeDeleted: true));

        withoutDeleted.Users.Should().NotContain(user => user.Deleted || user.ExternalId == Guid(SambaSeed.DeletedUser));
        var eve = withDeleted.Users.Should().ContainSingle(user => user.Deleted).Subject;
        eve.ExternalId.Should().Be(Guid(SambaSeed.DeletedUser));
        eve.Email.Should().BeNull("tombstones lose mail");
        eve.DisplayName.Should().Contain("CN=Deleted Objects");
    }

    [Fact]
    public async Task Deleted_users_are_found_in_the_domain_even_when_rootPath_is_an_ou()
    {
        var spec = Spec(userPath: null);
        spec.RootPath = SambaDomainController.CorpOu;

        var snapshot = await ReadAsync(spec, new DirectoryQuery(Users: true, Groups: false, IncludeDeleted: true));

        snapshot.Users.Should().ContainSingle(user => user.Deleted).Which.ExternalId.Should().Be(Guid(SambaSeed.DeletedUser));
        snapshot.Users.Where(user => !user.Deleted).Select(user => user.ExternalId).Should().BeEquivalentTo(SambaSeed.CorpUsers.Select(Guid));
    }

    [Fact]
    public async Task A_wrong_password_on_active_directory_is_SourceAuthFailed()
    {
        var read = () => LdapSource.Create(Spec(), null, "wrong-password", fixture.Controller.CaPem, NullLogger<LdapSource>.Instance).ReadAsync(Everything, CancellationToken.None);

        var failure = (await read.Should().ThrowAsync<Sync.SyncFailedException>()).Which;
        failure.Reason.Should().Be(Sync.SyncFailureReason.SourceAuthFailed);
        failure.Message.Should().Contain(SambaDomainController.AdministratorUpn);
    }

    [Theory]
    [InlineData(LdapEncryption.Ldaps)]
    [InlineData(LdapEncryption.StartTls)]
    public async Task With_strong_auth_required_the_dc_is_read_completely_over_tls_trusting_the_ca_from_the_spec(LdapEncryption encryption)
    {
        var spec = Spec(encryption: encryption);

        var snapshot = await ReadAsync(spec);

        snapshot.Users.Select(user => user.ExternalId).Should().BeEquivalentTo(SambaSeed.CorpUsers.Select(Guid));
        snapshot.Groups.Select(group => group.Name).Should().Contain(["Outer", "Inner", "Domain Users"]);
        snapshot.Groups.Single(group => group.Name == "Outer").ExternalId.Should().Be(Guid("Outer"));
    }

    [Theory]
    [InlineData(LdapEncryption.Ldaps)]
    [InlineData(LdapEncryption.StartTls)]
    public async Task Without_the_ca_the_dcs_certificate_is_not_trusted_so_certificate_checks_are_on(LdapEncryption encryption)
    {
        var spec = Spec(encryption: encryption);
        spec.CaSecretRef = null;

        var read = () => ReadAsync(spec);

        var failure = (await read.Should().ThrowAsync<Sync.SyncFailedException>()).Which;
        failure.Retryable.Should().BeFalse("an untrusted certificate does not heal by retrying");
        failure.Message.Should().Contain("spec.source.ldap.caSecretRef");
    }

    [Theory]
    [InlineData(LdapEncryption.Ldaps, 636)]
    [InlineData(LdapEncryption.StartTls, 389)]
    public async Task A_host_name_the_dcs_certificate_does_not_list_is_refused_even_with_the_ca_trusted(LdapEncryption encryption, int dcPort)
    {
        // 127.0.0.1 reaches the DC through a loopback proxy, but the certificate lists only the DC's own address and dc1.test.local.
        await using var proxy = new ConnectionCutProxy(dcPort, System.Net.IPAddress.Parse(fixture.Controller.Address));
        var spec = Spec(encryption: encryption);
        spec.Hostname = "127.0.0.1";
        spec.Port = proxy.Port;

        var read = () => ReadAsync(spec);

        var failure = (await read.Should().ThrowAsync<Sync.SyncFailedException>()).Which;
        failure.Retryable.Should().BeFalse();
        failure.Message.Should().Contain("spec.source.ldap.hostname").And.Contain("127.0.0.1");
    }

    [Fact]
    public async Task A_plain_simple_bind_is_refused_with_an_error_that_names_spec_source_ldap_encryption_and_the_fix()
    {
        var spec = Spec(encryption: LdapEncryption.None);
        spec.CaSecretRef = null;

        var read = () => ReadAsync(spec);

        var failure = (await read.Should().ThrowAsync<Sync.SyncFailedException>()).Which;
        output.WriteLine(failure.Message);
        failure.Reason.Should().Be(Sync.SyncFailureReason.SourceAuthFailed);
        failure.Retryable.Should().BeFalse("the DC refuses every plain simple bind until the spec changes");
        failure.Message.Should().Contain("spec.source.ldap.encryption").And.Contain("ldaps").And.Contain("startTls")
            .And.Contain("strong auth").And.Contain("LDAP result 8").And.Contain(fixture.Controller.Address);
        failure.Message.Should().NotContain(SambaDomainController.AdministratorPassword);
    }
}
