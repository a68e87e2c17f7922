using DirectoryConnector.TestSupport;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.File;
using DirectoryConnector.Engine.Sources.Ldap;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.TestSupport.Ldap;
using FluentAssertions;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Sources;

public sealed class FileSourceTests : IDisposable
{
    private static readonly DirectoryQuery Everything = new(Users: true, Groups: true, IncludeDeleted: false);
    private readonly string _directory = Directory.CreateTempSubdirectory("file-source-test-").FullName;
    private readonly InMemoryReferences _references = new();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private async Task<DirectorySnapshot> ReadFileAsync(string name, string content, DirectoryQuery? query = null, FileFormat? format = null)
    {
        var path = Path.Combine(_directory, name);
        await System.IO.File.WriteAllTextAsync(path, content);
        return await FileSource.Create(new FileSourceSpec { Path = path, Format = format }, _references, NullLogger<FileSource>.Instance)
            .ReadAsync(query ?? Everything, CancellationToken.None);
    }

    private async Task<SyncFailedException> FailureAsync(string name, string content)
    {
        var read = () => ReadFileAsync(name, content);
        return (await read.Should().ThrowAsync<SyncFailedException>()).Which;
    }

    // objectGUID c54a5531-c72a-4709-a7f4-9244b52a7718 as AD stores it (directory-apis.md §5.1) and ldifde/ldapsearch write it.
    private const string AdLdif = """
        version: 1
        # An Active Directory export
        dn: CN=Alice Adams,OU=Corp,DC=test,DC=local
        objectClass: top
        objectClass: person
        objectClass: organizationalPerson
        objectClass: user
        sAMAccountType: 805306368
        userAccountControl: 512
        objectGUID:: MVVKxSrHCUen9JJEtSp3GA==
        mail: alice@test.local

        dn: CN=Bob Brown,OU=Corp,DC=test,DC=local
        objectClass: user
        sAMAccountType: 805306368
        userAccountControl: 514
        mail:: Ym9iQHRlc3QubG9jYWw=

        dn: CN=WS01,OU=Corp,DC=test,DC=local
        objectClass: user
        objectClass: computer
        sAMAccountType: 805306369
        mail: ws01@test.local

        dn: CN=Trust,OU=Corp,DC=test,DC=local
        objectClass: user
        sAMAccountType: 805306370
        mail: trust@test.local

        dn: CN=A Very Long Group Name That Is Folded Over Two Lines,OU=Corp,DC=te
         st,DC=local
        changetype: add
        objectClass: group
        cn: A Very Long Group Name That Is Folded
          Over Two Lines
        member: cn=alice adams, ou=corp, dc=test, dc=local
        member: CN=Bob Brown,OU=Corp,DC=test,DC=local
        member: CN=Someone Else,OU=Corp,DC=test,DC=local

        dn: CN=Eve Evans\0ADEL:0b6a5c8e-1d3f-4a7e-9c55-3f0e5d6a7b8c,CN=Deleted Objects,DC=test,DC=local
        objectClass: user
        isDeleted: TRUE
        objectGUID:: jlxqCz8dfkqcVT8OXWp7jA==

        """;

    [Fact]
    public async Task Ldif_export_of_active_directory_maps_like_the_ldap_source()
    {
        var snapshot = await ReadFileAsync("corp.ldif", AdLdif);

        snapshot.Users.Should().HaveCount(2, "computers and non-user accounts are not users");
        var alice = snapshot.Users[0];
        alice.ExternalId.Should().Be("c54a5531-c72a-4709-a7f4-9244b52a7718", "objectGUID:: is the binary GUID");
        alice.ReferenceId.Should().Be(DistinguishedName.Parse("CN=Alice Adams,OU=Corp,DC=test,DC=local").Canonical);
        alice.Email.Should().Be("alice@test.local");
        alice.Disabled.Should().BeFalse();
        var bob = snapshot.Users[1];
        bob.Email.Should().Be("bob@test.local", "mail:: is base64");
        bob.Disabled.Should().BeTrue("userAccountControl 514 has the disable bit");
        bob.ExternalId.Should().Be("CN=Bob Brown,OU=Corp,DC=test,DC=local", "without objectGUID the DN is the external id");

        var group = snapshot.Groups.Should().ContainSingle().Subject;
        group.Name.Should().Be("A Very Long Group Name That Is Folded Over Two Lines", "folded lines continue without their first space");
        group.DisplayName.Should().Be("CN=A Very Long Group Name That Is Folded Over Two Lines,OU=Corp,DC=test,DC=local");
        group.MemberReferences.Should().Equal(alice.ReferenceId, bob.ReferenceId, DistinguishedName.Parse("CN=Someone Else,OU=Corp,DC=test,DC=local").Canonical);
    }

    [Fact]
    public async Task Ldif_deleted_users_are_read_only_when_asked()
    {
        var withDeleted = await ReadFileAsync("corp.ldif", AdLdif, new DirectoryQuery(true, true, IncludeDeleted: true));

        var eve = withDeleted.Users.Should().ContainSingle(user => user.Deleted).Subject;
        eve.ExternalId.Should().Be("0b6a5c8e-1d3f-4a7e-9c55-3f0e5d6a7b8c");
        (await ReadFileAsync("corp2.ldif", AdLdif)).Users.Should().NotContain(user => user.Deleted);
    }

    [Fact]
    public async Task Ldif_posix_groups_resolve_memberUid_by_uid_and_unique_members_by_dn()
    {
        const string ldif = """
            dn: uid=jdoe,ou=People,dc=example,dc=org
            objectClass: inetOrgPerson
            uid: JDoe
            mail: jdoe@example.org

            dn: cn=admins,ou=Groups,dc=example,dc=org
            objectClass: posixGroup
            cn: admins
            memberUid: jdoe
            memberUid: nobody

            dn: cn=web,ou=Groups,dc=example,dc=org
            objectClass: groupOfUniqueNames
            cn: web
            uniqueMember: UID=jdoe,OU=People,DC=example,DC=org#'0101'B
            """;

        var snapshot = await ReadFileAsync("posix.ldif", ldif);

        var jdoe = snapshot.Users.Should().ContainSingle().Subject;
        snapshot.Groups.Single(group => group.Name == "admins").MemberReferences.Should().Equal(jdoe.ReferenceId, "nobody");
        snapshot.Groups.Single(group => group.Name == "web").MemberReferences.Should().Equal(jdoe.ReferenceId);
    }

    [UpstreamConformanceFact]
    public async Task Upstreams_directory_20_ldif_gives_the_same_entries_as_reading_it_from_slapd()
    {
        var snapshot = await ReadFileAsync("directory-20.ldif", await System.IO.File.ReadAllTextAsync(UpstreamFixtures.File("directory-20.ldif")));

        snapshot.Users.Should().HaveCount(20);
        snapshot.Groups.Select(group => group.Name).Should().Equal("Blue Team", "Red Team", "Cleaners", "DevOps Team", "Security Team");
        var users = snapshot.Users.Select(user => user.ReferenceId).ToHashSet();
        snapshot.Groups.SelectMany(group => group.MemberReferences).Should().OnlyContain(reference => users.Contains(reference),
            "every memberUid names a user, by DN or by uid");
        snapshot.Groups.Single(group => group.Name == "Security Team").MemberReferences.Should().HaveCount(2);
    }

    [UpstreamConformanceFact]
    public async Task Upstreams_circular_groups_ldif_gives_a_graph_whose_closure_is_the_run3_capture()
    {
        var snapshot = await ReadFileAsync("circular.ldif", await System.IO.File.ReadAllTextAsync(UpstreamFixtures.File("directory-circular-groups.ldif")));

        snapshot.Users.Should().HaveCount(8);
        var users = snapshot.Users.Select(user => user.ReferenceId).ToHashSet();
        var groups = snapshot.Groups.ToDictionary(group => group.ReferenceId);
        snapshot.Groups.SelectMany(group => group.MemberReferences).Should().OnlyContain(reference => users.Contains(reference) || groups.ContainsKey(reference));

        // Transitive users through the direct graph the source returns (the planner's job; here it checks the graph is complete).
        int Closure(DirectoryGroup group)
        {
            var seen = new HashSet<string> { group.ReferenceId };
            var pending = new Queue<string>(group.MemberReferences);
            var found = new HashSet<string>();
            while (pending.TryDequeue(out var reference))
            {
                if (users.Contains(reference))
                {
                    found.Add(reference);
                }
                else if (seen.Add(reference))
                {
                    foreach (var member in groups[reference].MemberReferences)
                    {
                        pending.Enqueue(member);
                    }
                }
            }

            return found.Count;
        }

        snapshot.Groups.ToDictionary(group => group.Name!, Closure).Should().BeEquivalentTo(new Dictionary<string, int>
        {
            ["AllStaff"] = 8, ["Engineering"] = 4, ["DevOps"] = 4, ["Platform"] = 4, ["Contractors"] = 4,
            ["QA"] = 2, ["Marketing"] = 2, ["HR"] = 2, ["TestNestA"] = 2, ["TestNestB"] = 2,
        });
    }

    [Theory]
    [InlineData("cn: x\n", 1, "must start with 'dn:'")]
    [InlineData("dn: cn=x,dc=com\nmail:: not base64!\n", 2, "not valid base64")]
    [InlineData("dn: cn=x,dc=com\nmail: a\n\ndn: cn=y,dc=com\nchangetype: modify\n", 5, "changetype is not supported")]
    [InlineData(" folded\n", 1, "continuation line")]
    [InlineData("dn: cn=x,dc=com\nthis line has no colon\n", 2, "expected 'attribute: value'")]
    [InlineData("dn: not a dn\n", 1, "not a distinguished name")]
    [InlineData("version: 2\n", 1, "version")]
    public async Task A_malformed_ldif_is_InvalidSpec_naming_the_file_and_line(string ldif, int line, string reason)
    {
        var failure = await FailureAsync("bad.ldif", ldif);

        failure.Reason.Should().Be(SyncFailureReason.InvalidSpec);
        failure.Message.Should().Contain("bad.ldif").And.Contain($"line {line}:").And.Contain(reason);
    }

    [Fact]
    public async Task Json_export_reads_users_groups_and_nested_group_members_by_id()
    {
        const string json = """
            {
              "users": [
                {"id": "u1", "email": "Ann@Example.org"},
                {"id": "u2", "email": "ben@example.org", "disabled": true},
                {"id": "u3", "email": null},
                {"id": "u4", "email": "gone@example.org", "deleted": true}
              ],
              "groups": [
                {"id": "g1", "name": "Everyone", "members": ["u1", "g2"]},
                {"id": "g2", "name": "Staff", "members": ["u2", "u9"]}
              ]
            }
            """;

        var snapshot = await ReadFileAsync("export.json", json);

        snapshot.Users.Select(user => (user.ReferenceId, user.ExternalId, user.Email, user.Disabled)).Should().Equal(
            ("u1", "u1", "Ann@Example.org", false), ("u2", "u2", "ben@example.org", true), ("u3", "u3", null, false));
        snapshot.Groups.Select(group => (group.Name, string.Join(",", group.MemberReferences), group.Selected)).Should().Equal(
            ("Everyone", "u1,g2", true), ("Staff", "u2,u9", true));
        (await ReadFileAsync("export2.json", json, new DirectoryQuery(true, true, IncludeDeleted: true))).Users.Should().Contain(user => user.Deleted && user.ReferenceId == "u4");
    }

    [Theory]
    [InlineData("""{"users":[{"id":"u1","mail":"a@b"}]}""", "$.users[0].mail: unknown field")]
    [InlineData("""{"users":[{"id":"u1","disabled":"yes"}]}""", "$.users[0].disabled: expected true or false")]
    [InlineData("""{"users":[{"id":7}]}""", "$.users[0].id: expected a string, found a number")]
    [InlineData("""{"users":[{"email":"a@b"}]}""", "$.users[0].id: required")]
    [InlineData("""{"users":[{"id":"x"}],"groups":[{"id":"x","name":"X"}]}""", "$.groups[0].id: is already the id of $.users[0]")]
    [InlineData("""{"groups":[{"id":"g","members":"u1"}]}""", "$.groups[0].members: expected an array")]
    [InlineData("""{"members":[]}""", "$.members: unknown field")]
    [InlineData("[]", "$: expected an object")]
    [InlineData("{\n  \"users\": [\n    {\"id\": \"u1\",,}\n  ]\n}", "line 3, column 17: not valid JSON")]
    public async Task A_malformed_json_export_is_InvalidSpec_naming_the_path(string json, string message)
    {
        var failure = await FailureAsync("bad.json", json);

        failure.Reason.Should().Be(SyncFailureReason.InvalidSpec);
        failure.Message.Should().Contain("bad.json").And.Contain(message);
    }

    [Fact]
    public async Task The_file_can_come_from_a_configmap_with_the_format_from_its_key()
    {
        _references.ConfigMaps[("directory", "people.json")] = """{"users":[{"id":"u1","email":"a@example.org"}]}""";
        var source = FileSource.Create(new FileSourceSpec { ConfigMapRef = new ConfigMapKeyRef { Name = "directory", Key = "people.json" } }, _references, NullLogger<FileSource>.Instance);

        var snapshot = await source.ReadAsync(Everything, CancellationToken.None);

        snapshot.Users.Should().ContainSingle().Which.Email.Should().Be("a@example.org");
    }

    [Fact]
    public async Task A_missing_file_is_InvalidSpec_naming_the_path_never_an_empty_directory()
    {
        var path = Path.Combine(_directory, "missing.ldif");
        var read = () => FileSource.Create(new FileSourceSpec { Path = path }, _references, NullLogger<FileSource>.Instance).ReadAsync(Everything, CancellationToken.None);

        var failure = (await read.Should().ThrowAsync<SyncFailedException>()).Which;
        failure.Reason.Should().Be(SyncFailureReason.InvalidSpec);
        failure.Message.Should().Contain("spec.source.file.path").And.Contain(path);
    }

    [Theory]
    [InlineData("export.csv", null, "spec.source.file.format")]
    [InlineData(null, null, "exactly one of path and configMapRef")]
    public void A_file_spec_without_a_usable_format_or_location_is_InvalidSpec(string? path, FileFormat? format, string message)
    {
        var create = () => FileSource.Create(new FileSourceSpec { Path = path, Format = format }, _references, NullLogger<FileSource>.Instance);

        create.Should().Throw<SyncFailedException>().Where(failure => failure.Reason == SyncFailureReason.InvalidSpec).WithMessage($"*{message}*");
    }

    [Fact]
    public async Task An_explicit_format_overrides_the_extension()
    {
        var snapshot = await ReadFileAsync("export.txt", """{"users":[{"id":"u1","email":"a@example.org"}]}""", format: FileFormat.Json);

        snapshot.Users.Should().ContainSingle();
    }
}
