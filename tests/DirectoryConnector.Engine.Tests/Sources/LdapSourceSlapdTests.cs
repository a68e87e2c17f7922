using DirectoryConnector.TestSupport;
using DirectoryConnector.Engine.Planning;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.Ldap;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.TestSupport.Ldap;
using FluentAssertions;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Sources;

[Collection(SlapdCollectionDefinition.Name)]
public sealed class LdapSourceSlapdTests(SlapdFixture fixture)
{
    private static readonly DirectoryQuery Everything = new(Users: true, Groups: true, IncludeDeleted: false);

    private LdapSourceSpec Spec(LdapEncryption encryption = LdapEncryption.None, bool asReader = false) => new()
    {
        Hostname = SlapdServer.Host,
        Port = encryption == LdapEncryption.Ldaps ? fixture.Server.LdapsPort : fixture.Server.LdapPort,
        Encryption = encryption,
        RootPath = fixture.Example.Suffix,
        Username = asReader ? SlapdSeed.ReaderDn : fixture.Example.AdminDn,
        PasswordSecretRef = new SecretKeyRef { Name = "bind", Key = "password" },
    };

    private string Password(LdapSourceSpec spec) => spec.Username == SlapdSeed.ReaderDn ? SlapdSeed.ReaderPassword : fixture.Example.AdminPassword;

    private Task<DirectorySnapshot> ReadAsync(LdapSourceSpec spec, FiltersSpec? filters = null, string? caPem = null, LdapSourceOptions? options = null, DirectoryQuery? query = null)
        => LdapSource.Create(spec, filters, Password(spec), caPem, options ?? new LdapSourceOptions(), NullLogger<LdapSource>.Instance)
            .ReadAsync(query ?? Everything, CancellationToken.None);

    private static string Canonical(string dn) => DistinguishedName.Parse(dn).Canonical;

    [Fact]
    public async Task Plain_ldap_reads_inetOrgPersons_with_the_dn_as_external_id_and_nested_groups_by_dn()
    {
        var snapshot = await ReadAsync(Spec());

        snapshot.Users.Should().HaveCount(SlapdSeed.PersonCount, "the bind account is a person but not an inetOrgPerson");
        var alice = snapshot.Users.Single(user => user.ReferenceId == Canonical(SlapdSeed.AliceDn));
        alice.ExternalId.Should().Be(SlapdSeed.AliceDn, "the DN as the server returned it, like the original connector");
        alice.Email.Should().Be("Alice.Smith@Example.org", "the planner normalizes emails, the source reports them as read");
        alice.Disabled.Should().BeFalse();
        alice.DisplayName.Should().Be(SlapdSeed.AliceDn);
        snapshot.Users.Single(user => user.ReferenceId == Canonical(SlapdSeed.DaveDn)).Email.Should().BeNull();

        var engineering = snapshot.Groups.Single(group => group.Name == "Engineering");
        engineering.ExternalId.Should().Be(SlapdSeed.EngineeringDn);
        engineering.Selected.Should().BeTrue();
        engineering.MemberReferences.Should().BeEquivalentTo(Canonical(SlapdSeed.AliceDn), Canonical(SlapdSeed.PlatformDn));
        snapshot.Groups.Select(group => group.Name).Should().BeEquivalentTo("Engineering", "Platform", "Archive");
    }

    [Fact]
    public async Task Member_dns_spelled_with_other_case_spacing_and_escaping_resolve_to_the_same_user()
    {
        var snapshot = await ReadAsync(Spec());

        var platform = snapshot.Groups.Single(group => group.Name == "Platform");
        var pat = snapshot.Users.Single(user => user.Email == "pat.obrien@example.org");
        platform.MemberReferences.Should().Contain(pat.ReferenceId, "CN=O'Brien\\2C Pat, OU=People, DC=Example, DC=Org names the entry cn=O'Brien\\, Pat,...");
        platform.MemberReferences.Should().BeSubsetOf(snapshot.Users.Select(user => user.ReferenceId));
    }

    [Fact]
    public async Task PosixGroup_memberUid_values_map_by_uid_case_insensitively_and_by_any_dn_spelling()
    {
        var spec = Spec();
        spec.GroupObjectClass = "posixGroup";
        spec.MemberAttribute = "memberUid";

        var snapshot = await ReadAsync(spec);

        var ops = snapshot.Groups.Should().ContainSingle().Subject;
        ops.Name.Should().Be("Ops");
        var byEmail = snapshot.Users.Where(user => user.Email is not null).ToDictionary(user => user.Email!, user => user.ReferenceId);
        ops.MemberReferences.Should().BeEquivalentTo(
            byEmail["carol@example.org"], byEmail["frank@example.org"], byEmail["grace@example.org"], byEmail["pat.obrien@example.org"],
            "ghost");
    }

    [Fact]
    public async Task StartTls_with_the_ca_from_a_secret_reads_the_directory()
    {
        var snapshot = await ReadAsync(Spec(LdapEncryption.StartTls), caPem: fixture.Server.Certificates.CaPem);

        snapshot.Users.Should().HaveCount(SlapdSeed.PersonCount);
    }

    [Fact]
    public async Task Ldaps_with_the_ca_from_a_secret_reads_the_directory()
    {
        var snapshot = await ReadAsync(Spec(LdapEncryption.Ldaps), caPem: fixture.Server.Certificates.CaPem);

        snapshot.Users.Should().HaveCount(SlapdSeed.PersonCount);
    }

    [Theory]
    [InlineData(LdapEncryption.Ldaps)]
    [InlineData(LdapEncryption.StartTls)]
    public async Task A_server_certificate_from_another_ca_is_refused_as_untrusted_naming_host_port_and_caSecretRef(LdapEncryption encryption)
    {
        var spec = Spec(encryption);
        var otherCa = TestCertificates.Create("Some Other CA").CaPem;

        var read = () => ReadAsync(spec, caPem: otherCa);

        var failure = (await read.Should().ThrowAsync<SyncFailedException>()).Which;
        failure.Reason.Should().Be(SyncFailureReason.SourceUnavailable);
        failure.Retryable.Should().BeFalse("an untrusted certificate does not fix itself: the CA in caSecretRef must change");
        failure.Message.Should().Contain($"{SlapdServer.Host}:{spec.Port}").And.Contain("is not trusted").And.Contain("issued by CN=Directory Connector Test CA")
            .And.Contain("spec.source.ldap.caSecretRef");
    }

    [Fact]
    public async Task Without_any_lock_attribute_in_the_schema_removeDisabled_is_said_to_have_no_effect_once()
    {
        var snapshot = await ReadAsync(Spec(), query: Everything with { RemoveDisabled = true });

        snapshot.DisabledUnknownReason.Should().Contain("the server's schema defines none of the account-lock attributes")
            .And.Contain("spec.source.ldap.disabledFilter");
        var plan = ImportPlanner.Plan(snapshot, new SyncOptionsSpec { RemoveDisabled = true }, "scope");
        plan.Warnings.Should().ContainSingle().Which.Should().StartWith("removeDisabled is on but has no effect:");
        ImportPlanner.Plan(snapshot, new SyncOptionsSpec(), "scope").Warnings.Should().BeEmpty("without removeDisabled there is nothing to warn about");
    }

    [Fact]
    public async Task InsecureSkipVerify_accepts_a_certificate_nobody_trusts()
    {
        var spec = Spec(LdapEncryption.Ldaps);
        spec.InsecureSkipVerify = true;

        var snapshot = await ReadAsync(spec);

        snapshot.Users.Should().HaveCount(SlapdSeed.PersonCount);
    }

    [Fact]
    public async Task A_wrong_password_is_SourceAuthFailed_naming_the_bind_dn_and_never_the_password()
    {
        var spec = Spec();
        const string wrongPassword = "not-the-password-4711";

        var read = () => LdapSource.Create(spec, null, wrongPassword, null, NullLogger<LdapSource>.Instance).ReadAsync(Everything, CancellationToken.None);

        var failure = (await read.Should().ThrowAsync<SyncFailedException>()).Which;
        failure.Reason.Should().Be(SyncFailureReason.SourceAuthFailed);
        failure.Retryable.Should().BeFalse();
        failure.Message.Should().Contain(fixture.Example.AdminDn).And.NotContain(wrongPassword).And.NotContain("line break");
        failure.ToString().Should().NotContain(wrongPassword);
    }

    [Fact]
    public async Task A_password_refused_for_its_final_line_break_says_so()
    {
        // What kubectl create secret generic --from-file=password=pw.txt stores when pw.txt ends with a newline.
        var read = () => LdapSource.Create(Spec(), null, fixture.Example.AdminPassword + "\n", null, NullLogger<LdapSource>.Instance).ReadAsync(Everything, CancellationToken.None);

        var failure = (await read.Should().ThrowAsync<SyncFailedException>()).Which;
        failure.Reason.Should().Be(SyncFailureReason.SourceAuthFailed);
        failure.Message.Should().EndWith("It ends with a line break or space (a Secret made with --from-file keeps the file's last line break): remove it if the password has none.")
            .And.NotContain(fixture.Example.AdminPassword);
    }

    [Fact]
    public async Task A_closed_port_is_SourceUnavailable_and_retryable()
    {
        var spec = Spec();
        spec.Port = SlapdServer.FreePortForTests();

        var read = () => ReadAsync(spec);

        var failure = (await read.Should().ThrowAsync<SyncFailedException>()).Which;
        failure.Reason.Should().Be(SyncFailureReason.SourceUnavailable);
        failure.Retryable.Should().BeTrue();
        failure.Message.Should().Contain($"{SlapdServer.Host}:{spec.Port}");
    }

    [Theory]
    [InlineData("(cn=Alice", "spec.filters.users")]
    [InlineData("(&(cn=Ops)", "spec.filters.groups")]
    [InlineData("(cn=A\\zz)", "spec.source.ldap.disabledFilter")]
    public void A_malformed_filter_is_InvalidSpec_naming_the_field_before_connecting(string filter, string field)
    {
        var spec = Spec();
        spec.Port = SlapdServer.FreePortForTests(); // nothing listens: the error must come before any connection
        var filters = new FiltersSpec
        {
            Users = field == "spec.filters.users" ? filter : null,
            Groups = field == "spec.filters.groups" ? filter : null,
        };
        spec.DisabledFilter = field == "spec.source.ldap.disabledFilter" ? filter : null;

        var create = () => LdapSource.Create(spec, filters, Password(spec), null, NullLogger<LdapSource>.Instance);

        var failure = create.Should().Throw<SyncFailedException>().Which;
        failure.Reason.Should().Be(SyncFailureReason.InvalidSpec);
        failure.Message.Should().StartWith($"{field}: \"{filter}\" is not an LDAP filter (RFC 4515)");
        EngineServices.Validator.Validate(new DirectorySyncSpec
        {
            Bitwarden = new BitwardenSpec { ServerUrl = "https://vault.example.test", ApiKeySecretRef = new ApiKeySecretRef { Name = "key" } },
            Source = new SourceSpec { Ldap = spec },
            Filters = filters,
        }).Should().ContainSingle(error => error.Path == field);
    }

    [Fact]
    public async Task A_user_path_that_does_not_exist_is_SourceQueryFailed_naming_userPath()
    {
        var spec = Spec();
        spec.UserPath = "ou=Nobody";

        var read = () => ReadAsync(spec);

        var failure = (await read.Should().ThrowAsync<SyncFailedException>()).Which;
        failure.Reason.Should().Be(SyncFailureReason.SourceQueryFailed);
        failure.Message.Should().Contain("spec.source.ldap.userPath").And.Contain("ou=Nobody,dc=example,dc=org");
    }

    [Fact]
    public async Task A_root_path_that_does_not_exist_is_SourceQueryFailed_naming_rootPath()
    {
        var spec = Spec();
        spec.RootPath = "dc=nowhere,dc=org";
        spec.UserPath = null;

        var read = () => ReadAsync(spec);

        var failure = (await read.Should().ThrowAsync<SyncFailedException>()).Which;
        failure.Reason.Should().Be(SyncFailureReason.SourceQueryFailed);
        failure.Message.Should().Contain("dc=nowhere,dc=org");
    }

    [Fact]
    public async Task Paged_search_reads_past_the_servers_size_limit_in_several_pages_and_logs_each_search()
    {
        var spec = Spec(asReader: true);
        spec.PageSize = 2;
        var logger = new RecordingLogger<LdapSource>();

        var snapshot = await LdapSource.Create(spec, null, SlapdSeed.ReaderPassword, null, logger)
            .ReadAsync(Everything, CancellationToken.None);

        snapshot.Users.Should().HaveCount(SlapdSeed.PersonCount, $"the server returns at most {SlapdFixture.SizeLimit} entries per search to this account");
        var userSearch = logger.Entries.Single(entry => Equals(entry.Properties.GetValueOrDefault("Filter"), "(&(objectClass=inetOrgPerson))"));
        userSearch.Properties["Base"].Should().Be("dc=example,dc=org");
        userSearch.Properties["Count"].Should().Be(SlapdSeed.PersonCount);
        ((int)userSearch.Properties["Pages"]!).Should().BeGreaterThanOrEqualTo(4, "8 entries in pages of 2");
        logger.Entries.Should().NotContain(entry => entry.Message.Contains(SlapdSeed.ReaderPassword, StringComparison.Ordinal)
            || entry.Properties.Values.Any(value => Equals(value, SlapdSeed.ReaderPassword)));
    }

    [Fact]
    public async Task Without_paging_a_server_size_limit_fails_instead_of_returning_a_partial_directory()
    {
        var spec = Spec(asReader: true);
        spec.PagedSearch = false;

        var read = () => ReadAsync(spec);

        var failure = (await read.Should().ThrowAsync<SyncFailedException>()).Which;
        failure.Reason.Should().Be(SyncFailureReason.SourceQueryFailed);
        failure.Message.Should().Contain("pagedSearch");
    }

    [Fact]
    public async Task A_per_page_size_limit_below_the_page_size_fails_naming_the_account_not_as_unreachable()
    {
        var spec = Spec(asReader: true); // the server caps this account at SlapdFixture.SizeLimit entries, per page too

        var read = () => ReadAsync(spec);

        var failure = (await read.Should().ThrowAsync<SyncFailedException>()).Which;
        failure.Reason.Should().Be(SyncFailureReason.SourceQueryFailed);
        failure.Retryable.Should().BeFalse();
        failure.Message.Should().Contain("a page of 500 entries").And.Contain(spec.Username).And.Contain("size.pr").And.Contain("spec.source.ldap.pageSize");
    }

    [Fact]
    public async Task A_paged_read_stopped_at_the_default_total_size_limit_fails_naming_size_prtotal_never_partial()
    {
        // slapd's default shape: a plain sizelimit, which also caps the total of a paged search (size.prtotal).
        var suffix = new SlapdSuffix("dc=example,dc=org", "capped-admin-secret");
        await using var server = await SlapdServer.StartAsync([suffix], SlapdFixture.SizeLimit, sizeLimitCapsPagedSearches: true);
        await server.AddLdifAsync(suffix, SlapdSeed.Ldif);
        var spec = Spec(asReader: true);
        spec.Port = server.LdapPort;
        spec.PageSize = 2;

        var read = () => LdapSource.Create(spec, null, SlapdSeed.ReaderPassword, null, NullLogger<LdapSource>.Instance)
            .ReadAsync(Everything, CancellationToken.None);

        var failure = (await read.Should().ThrowAsync<SyncFailedException>()).Which;
        failure.Reason.Should().Be(SyncFailureReason.SourceQueryFailed);
        failure.Retryable.Should().BeFalse("a size limit does not lift by itself");
        failure.Message.Should().Contain("size.prtotal").And.Contain(SlapdSeed.ReaderDn).And.Contain("2 entries a page");
    }

    [Fact]
    public async Task User_path_and_user_filter_narrow_the_users()
    {
        var spec = Spec();
        spec.UserPath = "ou=People";

        var inPeople = await ReadAsync(spec, new FiltersSpec { Users = "(|(uid=alice)(uid=erin)(uid=bob))" });

        inPeople.Users.Select(user => user.Email).Should().BeEquivalentTo("Alice.Smith@Example.org", "bob@example.org");
    }

    [Fact]
    public async Task Group_path_and_filter_select_groups_but_every_group_is_still_read_for_nesting()
    {
        var spec = Spec();
        spec.GroupPath = "ou=Groups";

        var snapshot = await ReadAsync(spec, new FiltersSpec { Groups = "(cn=Engineering)" });

        snapshot.Groups.Where(group => group.Selected).Select(group => group.Name).Should().Equal("Engineering");
        snapshot.Groups.Where(group => !group.Selected).Select(group => group.Name).Should().BeEquivalentTo("Platform", "Archive");
        snapshot.Groups.Single(group => group.Name == "Platform").MemberReferences.Should().HaveCount(2,
            "a selected parent gets its users through the filtered-out child");
    }

    [Fact]
    public async Task Group_path_alone_leaves_groups_outside_it_unselected()
    {
        var spec = Spec();
        spec.GroupPath = "ou=Archive";

        var snapshot = await ReadAsync(spec);

        snapshot.Groups.Where(group => group.Selected).Select(group => group.Name).Should().Equal("Archive");
    }

    [Fact]
    public async Task EntryUUID_as_external_id_is_requested_explicitly_and_stays_the_dn_free_identity()
    {
        var spec = Spec();
        spec.ExternalIdAttribute = "entryUUID";

        var snapshot = await ReadAsync(spec);

        snapshot.Users.Select(user => Guid.TryParse(user.ExternalId, out var _)).Should().AllBeEquivalentTo(true, "entryUUID is operational: only returned when asked for");
        snapshot.Users.Select(user => user.ExternalId).Should().OnlyHaveUniqueItems();
        snapshot.Groups.Select(group => Guid.TryParse(group.ExternalId, out var _)).Should().AllBeEquivalentTo(true);
        snapshot.Users.Single(user => user.Email == "bob@example.org").ReferenceId.Should().Be(Canonical(SlapdSeed.BobDn),
            "groups still refer to users by DN");
    }

    [Fact]
    public async Task Email_prefix_and_suffix_fill_a_missing_mail()
    {
        var spec = Spec();
        spec.UseEmailPrefixSuffix = true;
        spec.EmailSuffix = "@mail.example.org";

        var snapshot = await ReadAsync(spec);

        snapshot.Users.Single(user => user.ReferenceId == Canonical(SlapdSeed.DaveDn)).Email.Should().Be("dave@mail.example.org");
        snapshot.Users.Single(user => user.ReferenceId == Canonical(SlapdSeed.BobDn)).Email.Should().Be("bob@example.org");
    }

    [Fact]
    public async Task Users_only_query_does_not_read_groups()
    {
        var snapshot = await ReadAsync(Spec(), query: new DirectoryQuery(Users: true, Groups: false, IncludeDeleted: false));

        snapshot.Users.Should().HaveCount(SlapdSeed.PersonCount);
        snapshot.Groups.Should().BeEmpty();
    }

    [Fact]
    public async Task Groups_only_query_still_returns_the_users_its_members_resolve_to()
    {
        var snapshot = await ReadAsync(Spec(), query: new DirectoryQuery(Users: false, Groups: true, IncludeDeleted: false));

        snapshot.Groups.Should().HaveCount(3);
        snapshot.Users.Select(user => user.ReferenceId).Should().Contain(snapshot.Groups.Single(group => group.Name == "Platform").MemberReferences);
    }

    [Fact]
    public async Task A_cancelled_read_stops_with_OperationCanceledException()
    {
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();
        var source = LdapSource.Create(Spec(), null, fixture.Example.AdminPassword, null, NullLogger<LdapSource>.Instance);

        var read = () => source.ReadAsync(Everything, cancellation.Token);

        await read.Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task A_read_cancelled_while_its_pages_are_fetched_stops_without_asking_for_another_page()
    {
        using var cancellation = new CancellationTokenSource();
        using var cancelled = new ManualResetEventSlim();
        var logger = new RecordingLogger<LdapSource>
        {
            // Runs on the thread that fetches the pages, as it logs the first page of the users: the caller is mapping
            // entries (or waiting for them) when the token fires.
            OnLog = (_, properties) =>
            {
                if (properties.TryGetValue("Page", out var page) && Equals(page, 1) && !cancelled.IsSet)
                {
                    // Set first: Cancel wakes the caller, which may look before this thread runs another line.
                    cancelled.Set();
                    cancellation.Cancel();
                }
            },
        };
        var spec = Spec();
        spec.PageSize = 2; // the people span four pages
        var source = LdapSource.Create(spec, null, fixture.Example.AdminPassword, null, new LdapSourceOptions(), logger);

        var read = () => source.ReadAsync(Everything, cancellation.Token);

        await read.Should().ThrowAsync<OperationCanceledException>();
        cancelled.IsSet.Should().BeTrue("the token fired during the paged search");
        // The read ends only once its fetching thread has stopped, so any page it asked for is logged by now.
        logger.Entries.Should().NotContain(entry => entry.Properties.ContainsKey("Page") && !Equals(entry.Properties["Page"], 1),
            "no page is asked for once the read is cancelled");
        (await LdapSource.Create(spec, null, fixture.Example.AdminPassword, null, NullLogger<LdapSource>.Instance).ReadAsync(Everything, CancellationToken.None))
            .Users.Should().HaveCount(SlapdSeed.PersonCount, "a cancelled read leaves nothing behind that the next one trips on");
    }
}
