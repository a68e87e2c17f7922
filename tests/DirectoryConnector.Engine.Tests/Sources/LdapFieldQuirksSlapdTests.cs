using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Planning;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.Ldap;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.TestSupport.Ldap;
using FluentAssertions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Sources;

/// <summary>
/// Directory quirks seen in the field, on a slapd of their own: the account-lock attributes of 389-ds / FreeIPA
/// (nsAccountLock, with its schema), OpenLDAP ppolicy (pwdAccountLockedTime, with the overlay) and eDirectory
/// (loginDisabled); names in NFC and NFD; addresses that are no mailbox; a referral; a certificate for another name.
/// </summary>
public sealed class LdapFieldQuirksSlapdTests : IAsyncLifetime
{
    private const string Suffix = "dc=field,dc=test";
    private const string CertificateName = "ldap.field.test";

    // The 389-ds attribute (its real OID) and eDirectory's, for this test server only; the object class is ours.
    private const string LockSchema = """
        attributetype ( 2.16.840.1.113730.3.1.610 NAME 'nsAccountLock'
          DESC 'Operational attribute for Account Inactivation'
          EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
        attributetype ( 2.16.840.1.113719.1.1.4.1.13 NAME 'loginDisabled'
          EQUALITY booleanMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.7 SINGLE-VALUE )
        objectclass ( 1.3.6.1.4.1.55555.7.1 NAME 'fieldLockableAccount' AUXILIARY MAY ( nsAccountLock $ loginDisabled ) )
        """;

    // Names spelled with escapes so the normal form of each is visible: \u0301 combining acute, \u0303 combining tilde.
    private const string JoseNfc = "cn=Jos\u00e9 N\u00fa\u00f1ez,ou=Unicode,dc=field,dc=test";
    private const string JoseNfdUpper = "CN=JOSE\u0301 NU\u0301N\u0303EZ,OU=Unicode,DC=field,DC=test";

    private static readonly string Seed = $"""
        dn: ou=Locks,{Suffix}
        objectClass: organizationalUnit
        ou: Locks

        {Person("nina", "Locks", "objectClass: fieldLockableAccount\nnsAccountLock: TRUE")}
        {Person("otto", "Locks", "objectClass: fieldLockableAccount\nnsAccountLock: FALSE")}
        {Person("paula", "Locks", "")}
        {Person("quinn", "Locks", "objectClass: fieldLockableAccount\nnsAccountLock: true")}
        {Person("ruth", "Locks", "pwdAccountLockedTime: 000001010000Z")}
        {Person("sven", "Locks", "pwdAccountLockedTime: 20260101000000Z")}
        {Person("tara", "Locks", "objectClass: fieldLockableAccount\nloginDisabled: TRUE")}
        {Person("umberto", "Locks", "employeeType: terminated")}
        dn: ou=Unicode,{Suffix}
        objectClass: organizationalUnit
        ou: Unicode

        dn: {JoseNfc}
        objectClass: inetOrgPerson
        cn: Jos\u00e9 N\u00fa\u00f1ez
        sn: N\u00fa\u00f1ez
        mail: jose@field.test

        dn: cn=Decomposed Team,ou=Unicode,{Suffix}
        objectClass: groupOfNames
        cn: Decomposed Team
        member: {JoseNfdUpper}

        dn: ou=Mail,{Suffix}
        objectClass: organizationalUnit
        ou: Mail

        {Person("tina.kovac", "Mail", "", cn: "Tina Kovac", mail: null)}
        {Person("umar", "Mail", "", mail: "umar.said@mail.field.test")}
        {Person("ann", "Mail", "", mail: "Ann Display <ann@field.test>")}
        {Person("finn", "Mail", "", mail: "finn@field.test.")}
        {Person("li", "Mail", "", mail: "li+bitwarden@field.test")}
        {Person("mia", "Mail", "mail: mia.second@field.test", mail: "mia@field.test")}
        dn: ou=Remote,{Suffix}
        objectClass: referral
        objectClass: extensibleObject
        ou: Remote
        ref: ldap://ldap.remote.field.test/ou=Remote,{Suffix}
        """;

    private SlapdServer? _server;
    private readonly SlapdSuffix _suffix = new(Suffix, "field-admin-secret");

    private SlapdServer Server => _server!;

    public async Task InitializeAsync()
    {
        _server = await SlapdServer.StartAsync([_suffix], extraSchemas: [LockSchema], passwordPolicy: true,
            certificates: TestCertificates.Create("Field Test CA", [CertificateName]));
        await _server.AddLdifAsync(_suffix, Seed);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private static string Person(string uid, string ou, string extra, string? cn = null, string? mail = "")
    {
        var mailLine = mail switch
        {
            null => "",
            "" => $"mail: {uid}@field.test\n",
            _ => $"mail: {mail}\n",
        };
        var extraLines = extra.Length == 0 ? "" : extra + "\n";
        return $"dn: uid={uid},ou={ou},{Suffix}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {cn ?? uid}\nsn: {uid}\n{mailLine}{extraLines}";
    }

    private LdapSourceSpec Spec(string? userPath, string? groupPath = null, LdapEncryption encryption = LdapEncryption.None) => new()
    {
        Hostname = SlapdServer.Host,
        Port = encryption == LdapEncryption.Ldaps ? Server.LdapsPort : Server.LdapPort,
        Encryption = encryption,
        RootPath = Suffix,
        UserPath = userPath,
        GroupPath = groupPath,
        Username = _suffix.AdminDn,
        PasswordSecretRef = new SecretKeyRef { Name = "bind", Key = "password" },
    };

    private Task<DirectorySnapshot> ReadAsync(LdapSourceSpec spec, DirectoryQuery query, string? caPem = null, ILogger<LdapSource>? logger = null)
        => LdapSource.Create(spec, null, _suffix.AdminPassword, caPem, logger ?? NullLogger<LdapSource>.Instance).ReadAsync(query, CancellationToken.None);

    private static DirectoryQuery Query(bool groups = false, bool removeDisabled = false)
        => new(Users: true, Groups: groups, IncludeDeleted: false) { RemoveDisabled = removeDisabled };

    private static string Uid(DirectoryUser user) => user.DisplayName.Split(',')[0]["uid=".Length..];

    [Fact]
    public async Task The_lock_conventions_of_389ds_FreeIPA_OpenLDAP_ppolicy_and_eDirectory_mark_users_disabled()
    {
        var snapshot = await ReadAsync(Spec("ou=Locks"), Query(removeDisabled: true));

        snapshot.Users.Where(user => user.Disabled).Select(Uid).Should().BeEquivalentTo(
            ["nina", "quinn", "ruth", "tara"],
            "nsAccountLock TRUE in any case, pwdAccountLockedTime 000001010000Z (administrative lock) and loginDisabled TRUE are locks; "
            + "nsAccountLock FALSE, no attribute, and a ppolicy lockout after failed binds (any other time, it expires) are not");
        snapshot.DisabledUnknownReason.Should().BeNull("the server's schema defines nsAccountLock, so no locked account means none is locked");
    }

    [Fact]
    public async Task DisabledFilter_is_evaluated_by_the_server_and_adds_to_the_known_conventions()
    {
        var spec = Spec("ou=Locks");
        spec.DisabledFilter = "employeeType=terminated";

        var snapshot = await ReadAsync(spec, Query(removeDisabled: true));

        snapshot.Users.Where(user => user.Disabled).Select(Uid).Should().BeEquivalentTo(["nina", "quinn", "ruth", "tara", "umberto"]);
    }

    [Fact]
    public async Task RemoveDisabled_sends_locked_accounts_as_removed_members()
    {
        var snapshot = await ReadAsync(Spec("ou=Locks"), Query(removeDisabled: true));

        var plan = ImportPlanner.Plan(snapshot, new SyncOptionsSpec { RemoveDisabled = true }, "scope");

        plan.Members.Where(member => member.Deleted).Select(member => member.Email).Should().BeEquivalentTo(
            ["nina@field.test", "quinn@field.test", "ruth@field.test", "tara@field.test"]);
        plan.Warnings.Should().BeEmpty();
    }

    [Fact]
    public async Task A_member_dn_in_NFD_and_upper_case_is_the_user_whose_dn_is_NFC_as_the_server_itself_decides()
    {
        var snapshot = await ReadAsync(Spec("ou=Unicode", "ou=Unicode"), Query(groups: true));

        var jose = snapshot.Users.Should().ContainSingle().Subject;
        var team = snapshot.Groups.Should().ContainSingle().Subject;
        team.MemberReferences.Should().Equal(jose.ReferenceId);
        var plan = ImportPlanner.Plan(snapshot, new SyncOptionsSpec(), "scope");
        plan.Groups.Single().MemberExternalIds.Should().Equal(jose.ExternalId);
        plan.Skipped.Should().BeEmpty();

        // The directory agrees: an equality match on the NFC DN finds the group that stores the NFD spelling.
        var spec = Spec("ou=Unicode", "ou=Unicode");
        var byServer = await ReadAsync(spec, Query(groups: true));
        var filters = new FiltersSpec { Groups = $"(member={JoseNfc})" };
        var matched = await LdapSource.Create(spec, filters, _suffix.AdminPassword, null, NullLogger<LdapSource>.Instance)
            .ReadAsync(Query(groups: true), CancellationToken.None);
        matched.Groups.Single(group => group.Selected).Name.Should().Be("Decomposed Team");
        byServer.Groups.Should().ContainSingle();
    }

    [Fact]
    public async Task Built_and_read_addresses_that_are_no_mailbox_are_skipped_naming_the_attribute_and_the_rest_are_kept()
    {
        var spec = Spec("ou=Mail");
        spec.UseEmailPrefixSuffix = true;
        spec.EmailPrefixAttribute = "cn";
        spec.EmailSuffix = "@field.test";

        var plan = ImportPlanner.Plan(await ReadAsync(spec, Query()), new SyncOptionsSpec(), "scope");

        plan.Members.Select(member => member.Email).Should().BeEquivalentTo(
            ["umar.said@mail.field.test", "li+bitwarden@field.test", "mia@field.test"],
            "plus addressing is a mailbox; a user with mail keeps it (mail is IA5 on slapd: non-ASCII addresses are tested with LDIF)");
        plan.Skipped.Select(skipped => (skipped.Entry, skipped.Reason)).Should().SatisfyRespectively(
            ann => ann.Reason.Should().Contain("'ann display <ann@field.test>' (from mail)").And.Contain("display-name form"),
            finn => finn.Reason.Should().Contain("(from mail)").And.Contain("ends with a dot"),
            tina => tina.Reason.Should().Contain("'tina kovac@field.test' (from cn + emailSuffix)").And.Contain("unquoted space"));
        plan.Warnings.Should().Equal(
            "uid=mia,ou=Mail,dc=field,dc=test has 2 mail values (mia@field.test, mia.second@field.test): the email is the first, mia@field.test; the others are ignored");
    }

    [Fact]
    public async Task A_uid_prefix_builds_a_mailbox()
    {
        var spec = Spec("ou=Mail");
        spec.UseEmailPrefixSuffix = true;
        spec.EmailPrefixAttribute = "uid";
        spec.EmailSuffix = "@field.test";

        var plan = ImportPlanner.Plan(await ReadAsync(spec, Query()), new SyncOptionsSpec(), "scope");

        plan.Members.Select(member => member.Email).Should().Contain("tina.kovac@field.test");
    }

    [Fact]
    public async Task A_referral_below_the_base_is_logged_at_information_with_its_url()
    {
        var logger = new RecordingLogger<LdapSource>();

        await ReadAsync(Spec(null), Query(), logger: logger);

        logger.Entries.Should().Contain(entry => entry.Level == LogLevel.Information
            && entry.Message.Contains("ldap://ldap.remote.field.test/ou=Remote,dc=field,dc=test", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(LdapEncryption.Ldaps)]
    [InlineData(LdapEncryption.StartTls)]
    public async Task A_certificate_for_another_name_is_a_name_mismatch_naming_the_names_it_lists(LdapEncryption encryption)
    {
        var read = () => ReadAsync(Spec(null, encryption: encryption), Query(), caPem: Server.Certificates.CaPem);

        var failure = (await read.Should().ThrowAsync<SyncFailedException>()).Which;
        failure.Message.Should().Contain($"is issued for {CertificateName}, not for {SlapdServer.Host}").And.Contain("spec.source.ldap.hostname");
        failure.Message.Should().NotContain("not trusted").And.NotContain("unreachable");
        failure.Retryable.Should().BeFalse("a certificate does not fix itself");
    }

    [Theory]
    [InlineData(LdapEncryption.Ldaps)]
    [InlineData(LdapEncryption.StartTls)]
    public async Task A_certificate_from_a_ca_nobody_trusts_says_so_and_names_caSecretRef(LdapEncryption encryption)
    {
        var read = () => ReadAsync(Spec(null, encryption: encryption), Query(), caPem: null);

        var failure = (await read.Should().ThrowAsync<SyncFailedException>()).Which;
        failure.Message.Should().Contain("is not trusted").And.Contain("issued by CN=Field Test CA").And.Contain("spec.source.ldap.caSecretRef");
        failure.Message.Should().NotContain("unreachable");
        failure.Retryable.Should().BeFalse();
    }

    [Fact]
    public async Task A_port_nobody_listens_on_is_unreachable_and_retried()
    {
        var spec = Spec(null, encryption: LdapEncryption.Ldaps);
        spec.Port = SlapdServer.FreePortForTests();

        var read = () => ReadAsync(spec, Query(), caPem: Server.Certificates.CaPem);

        var failure = (await read.Should().ThrowAsync<SyncFailedException>()).Which;
        failure.Message.Should().Contain("is unreachable: no TCP connection").And.NotContain("certificate")
            .And.Contain("that the network lets the connector reach the server").And.NotContain("pod", "the CLI prints the same message");
        failure.Retryable.Should().BeTrue();
    }
}
