// Test names are sentences.

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using DirectoryConnector.TestSupport.Bitwarden;
using DirectoryConnector.TestSupport.EntraId;
using DirectoryConnector.TestSupport.GoogleWorkspace;
using DirectoryConnector.TestSupport.Ldap;
using DirectoryConnector.TestSupport.Okta;
using DirectoryConnector.TestSupport.OneLogin;
using FluentAssertions;
using Microsoft.IdentityModel.Tokens;
using Xunit;

namespace DirectoryConnector.Cli.Tests.EndToEnd;

/// <summary>
/// Every directory source through the executable as a user runs it (<see cref="CliProcess.BuiltExecutable"/>: the
/// apphost, or the Native AOT publish DIRECTORY_CONNECTOR_EXECUTABLE names): a DirectorySync manifest and a separate
/// Secrets manifest whose spec.source points at a loopback stand-in (the file source, slapd over StartTLS with LDAP
/// Content Synchronization and over LDAPS, Okta with an API token and with a DPoP-bound service app, OneLogin, Google
/// Workspace's token endpoint and Admin SDK, Entra ID with a client secret and with a certificate), each with the
/// stand-in's CA from caSecretRef, posting to the Bitwarden stand-in. `test` reads without posting, `sync` makes the
/// organization equal the directory, and a second `sync` posts nothing.
/// </summary>
[Collection(SourceProcessCollectionDefinition.Name)]
public sealed class SourceSyncProcessTests : IAsyncLifetime
{
    private readonly string folder = Directory.CreateTempSubdirectory("dc-cli-sources-").FullName;
    private BitwardenStandIn bitwarden = null!;
    private CliResult? last;

    public async Task InitializeAsync() => bitwarden = await BitwardenStandIn.StartAsync();

    public async Task DisposeAsync()
    {
        await bitwarden.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    private string ManifestPath => Path.Combine(folder, "directorysync.yaml");

    private string SecretsPath => Path.Combine(folder, "secrets.yaml");

    private string StatePath => Path.Combine(folder, "state.json");

    [Theory]
    [InlineData("ldif")]
    [InlineData("json")]
    public async Task File_source_test_and_sync_then_a_second_sync_posts_nothing(string format)
    {
        var path = Path.Combine(folder, $"directory.{format}");
        await File.WriteAllTextAsync(path, format == "ldif"
            ? """
              version: 1

              dn: cn=Alice,ou=People,dc=example,dc=com
              objectClass: inetOrgPerson
              cn: Alice
              sn: Alice
              mail: alice@example.com

              dn: cn=Bob,ou=People,dc=example,dc=com
              objectClass: inetOrgPerson
              cn: Bob
              sn: Bob
              mail: bob@example.com

              dn: cn=Engineering,ou=Groups,dc=example,dc=com
              objectClass: groupOfNames
              cn: Engineering
              member: cn=Alice,ou=People,dc=example,dc=com
              member: cn=Bob,ou=People,dc=example,dc=com

              """
            : """
              {"users": [{"id": "u-alice", "email": "alice@example.com"}, {"id": "u-bob", "email": "bob@example.com"}],
               "groups": [{"id": "g-eng", "name": "Engineering", "members": ["u-alice", "u-bob"]}]}
              """);
        WriteManifest($"file: {{path: directory.{format}}}");

        await TestThenSyncTwiceAsync("2 members (2 enabled, 0 disabled, 0 deleted), 1 group", "alice@example.com", "bob@example.com", "Engineering: alice@example.com bob@example.com");
    }

    [Fact]
    public async Task Ldap_over_starttls_with_content_sync_test_and_sync_then_a_second_sync_resumes_from_the_cookie_and_posts_nothing()
    {
        var suffix = new SlapdSuffix("dc=sync,dc=test", "sync-admin-secret");
        await using var slapd = await SlapdServer.StartAsync([suffix], contentSync: true);
        await SeedLdapAsync(slapd, suffix);
        WriteLdapManifest(slapd, suffix, slapd.LdapPort, "startTls");

        await TestThenSyncTwiceAsync("2 members (2 enabled, 0 disabled, 0 deleted), 1 group", "ann@sync.test", "ben@sync.test", "Staff: ann@sync.test ben@sync.test");

        LastOutput.Should().StartWith("Up to date: nothing changed since the last sync, nothing posted. The source reports no change",
            "slapd's syncprov answered the RFC 4533 cookie of the first sync with no change");
        JsonDocument.Parse(await File.ReadAllTextAsync(StatePath)).RootElement.GetProperty("sourceCursor").GetString().Should().StartWith("rfc4533:");

        await slapd.ModifyAsync(suffix, $"dn: cn=Staff,ou=Groups,{suffix.Suffix}\nchangetype: modify\ndelete: member\nmember: cn=Ben,ou=People,{suffix.Suffix}\n");
        var third = await RunAsync("sync", "-f", ManifestPath, "-f", SecretsPath, "--state", StatePath);
        third.ExitCode.Should().Be(0, third.ToString());
        Organization().Should().Equal("ann@sync.test", "ben@sync.test", "Staff: ann@sync.test");
    }

    [Fact]
    public async Task Ldaps_test_and_sync_then_a_second_sync_posts_nothing()
    {
        var suffix = new SlapdSuffix("dc=sync,dc=test", "ldaps-admin-secret");
        await using var slapd = await SlapdServer.StartAsync([suffix]);
        await SeedLdapAsync(slapd, suffix);
        WriteLdapManifest(slapd, suffix, slapd.LdapsPort, "ldaps");

        await TestThenSyncTwiceAsync("2 members (2 enabled, 0 disabled, 0 deleted), 1 group", "ann@sync.test", "ben@sync.test", "Staff: ann@sync.test ben@sync.test");
    }

    [Fact]
    public async Task Entra_id_test_and_sync_then_a_run_with_nothing_changed_makes_only_the_delta_calls()
    {
        await using var entra = await EntraIdStandIn.StartAsync();
        var (alice, bob, carol) = (Guid.NewGuid().ToString(), Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
        var engineering = Guid.NewGuid().ToString();
        entra.Tenant.AddUser(new EntraUser(alice, "alice@contoso.com", "alice@contoso.com"));
        entra.Tenant.AddUser(new EntraUser(bob, "bob@contoso.com", "bob@contoso.com", AccountEnabled: false));
        entra.Tenant.AddUser(new EntraUser(Guid.NewGuid().ToString(), "pat_partner.example#EXT#@contoso.onmicrosoft.com", "pat@partner.example", UserType: "Guest"));
        entra.Tenant.AddGroup(engineering, "Engineering", alice, bob);
        WriteManifest($"""
            entraId:
              tenant: {entra.TenantId}
              applicationId: {entra.ApplicationId}
              clientSecretRef: {"{"}name: entra-app, key: client-secret{"}"}
              authorityHost: {entra.BaseUrl}
              graphUrl: {entra.BaseUrl}
              caSecretRef: {"{"}name: entra-ca, key: ca.crt{"}"}
            """, ("entra-app", "client-secret", entra.ClientSecret), ("entra-ca", "ca.crt", entra.CaPem));

        var test = await TestAsync();

        test.Output.Should().Contain("alice@contoso.com").And.Contain("bob@contoso.com").And.Contain("pat_partner.example#EXT#@contoso.onmicrosoft.com")
            .And.Contain("guest").And.Contain("2 members (1 enabled, 1 disabled, 0 deleted), 1 group, 1 skipped");
        test.Output.Should().NotContain(entra.ClientSecret);

        var first = await SyncAsync();
        first.ExitCode.Should().Be(0, first.ToString());
        Organization().Should().Equal("alice@contoso.com", "bob@contoso.com", "Engineering: alice@contoso.com bob@contoso.com");

        var graphBefore = entra.GraphRequests.Count;
        var second = await SyncAsync();
        second.ExitCode.Should().Be(0, second.ToString());
        second.Output.Should().StartWith("Up to date: nothing changed since the last sync, nothing posted. The source reports no change");
        entra.GraphRequests.Skip(graphBefore).Should().HaveCount(2).And.OnlyContain(r => r.Body.Contains("$deltatoken=", StringComparison.Ordinal));
        bitwarden.ImportRequests.Should().ContainSingle();

        entra.Tenant.AddUser(new EntraUser(carol, "carol@contoso.com", "carol@contoso.com"));
        entra.Tenant.AddMember(engineering, carol);
        entra.Tenant.DeleteUser(alice);
        var third = await SyncAsync();
        third.ExitCode.Should().Be(0, third.ToString());
        third.Output.Should().Contain("added: carol@contoso.com").And.Contain("full read: the directory changed");
        Organization().Should().Equal("bob@contoso.com", "carol@contoso.com", "Engineering: bob@contoso.com carol@contoso.com");
    }

    [Fact]
    public async Task Entra_id_with_a_client_certificate_test_and_sync_then_a_second_sync_posts_nothing()
    {
        await using var entra = await EntraIdStandIn.StartAsync();
        using var key = RSA.Create(2048);
        using var certificate = new CertificateRequest("CN=entra-app", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        entra.RegisterCertificate(certificate);
        var (alice, bob) = (Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
        entra.Tenant.AddUser(new EntraUser(alice, "alice@contoso.com", "alice@contoso.com"));
        entra.Tenant.AddUser(new EntraUser(bob, "bob@contoso.com", "bob@contoso.com"));
        entra.Tenant.AddGroup(Guid.NewGuid().ToString(), "Engineering", alice, bob);
        WriteManifest($"""
            entraId:
              tenant: {entra.TenantId}
              applicationId: {entra.ApplicationId}
              clientCertificateSecretRef: {"{"}name: entra-app, key: tls.pem{"}"}
              authorityHost: {entra.BaseUrl}
              graphUrl: {entra.BaseUrl}
              caSecretRef: {"{"}name: entra-app, key: ca.crt{"}"}
            """, ("entra-app", "tls.pem", certificate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem()), ("entra-app", "ca.crt", entra.CaPem));

        await TestThenSyncTwiceAsync("2 members (2 enabled, 0 disabled, 0 deleted), 1 group", "alice@contoso.com", "bob@contoso.com", "Engineering: alice@contoso.com bob@contoso.com");

        entra.TokenRequests.Should().NotBeEmpty().And.OnlyContain(r => r.Body.Contains("client_assertion=", StringComparison.Ordinal) && !r.Body.Contains("client_secret", StringComparison.Ordinal),
            "the certificate signs a client assertion");
    }

    [Fact]
    public async Task Google_workspace_test_and_sync_then_a_change_set()
    {
        await using var google = await GoogleWorkspaceStandIn.StartAsync();
        google.MaxPageSize = 2;
        google.AddUser("admin@example.com", isAdmin: true);
        var alice = google.AddUser("alice@example.com");
        var bob = google.AddUser("bob@example.com");
        var carol = google.AddUser("carol@example.com");
        var engineering = google.AddGroup("Engineering");
        google.Change(() => engineering.Members.AddRange([GoogleWorkspaceStandIn.UserMember(alice), GoogleWorkspaceStandIn.UserMember(bob)]));
        WriteManifest($"""
            googleWorkspace:
              adminUser: admin@example.com
              serviceAccountKeySecretRef: {"{"}name: google-sa, key: key.json{"}"}
              tokenUrl: {google.TokenUrl}
              apiUrl: {google.BaseUrl}
              caSecretRef: {"{"}name: google-ca, key: ca.crt{"}"}
            """, ("google-sa", "key.json", google.ServiceAccount.ToJsonKey()), ("google-ca", "ca.crt", google.CaPem));

        await TestThenSyncTwiceAsync("4 members (4 enabled, 0 disabled, 0 deleted), 1 group, 0 skipped",
            "admin@example.com", "alice@example.com", "bob@example.com", "carol@example.com", "Engineering: alice@example.com bob@example.com");
        google.TokenRequests.Should().NotBeEmpty().And.OnlyContain(r => r.StatusCode == 200, "the service account's signed assertion was accepted");

        google.Change(() =>
        {
            engineering.Name = "Platform Engineering";
            engineering.Members.RemoveAll(m => m.Id == alice.Id);
            engineering.Members.Add(GoogleWorkspaceStandIn.UserMember(carol));
        });
        var third = await SyncAsync();
        third.ExitCode.Should().Be(0, third.ToString());
        Organization().Should().Equal("admin@example.com", "alice@example.com", "bob@example.com", "carol@example.com", "Platform Engineering: bob@example.com carol@example.com");
    }

    [Fact]
    public async Task Okta_test_and_sync_then_a_run_with_nothing_changed_reads_no_group_members()
    {
        await using var okta = await OktaStandIn.StartAsync(new OktaStandInOptions { MaxPageSize = 2 });
        var alice = okta.Directory.AddUser("alice@example.com");
        var bob = okta.Directory.AddUser("bob@example.com");
        var carol = okta.Directory.AddUser("carol@example.com");
        okta.Directory.Suspend(carol);
        okta.Directory.AddUser("dave@example.com", status: "STAGED");
        var engineering = okta.Directory.AddGroup("Engineering", "OKTA_GROUP", alice, bob);
        WriteManifest($"""
            okta:
              orgUrl: {okta.OrgUrl}
              tokenSecretRef: {"{"}name: okta-api, key: token{"}"}
              caSecretRef: {"{"}name: okta-ca, key: ca.crt{"}"}
            """, ("okta-api", "token", okta.ApiToken), ("okta-ca", "ca.crt", okta.CaPem));

        var test = await TestAsync();

        test.Output.Should().Contain("3 members (2 enabled, 1 disabled, 0 deleted), 1 group, 1 skipped").And.Contain("STAGED");

        (await SyncAsync()).ExitCode.Should().Be(0);
        Organization().Should().Equal("alice@example.com", "bob@example.com", "carol@example.com", "Engineering: alice@example.com bob@example.com");

        var memberReads = okta.Requests.Count(r => r.Path.StartsWith("/api/v1/groups/", StringComparison.Ordinal));
        var second = await SyncAsync();
        second.Output.Should().StartWith("Up to date: nothing changed since the last sync, nothing posted. The source reports no change");
        okta.Requests.Count(r => r.Path.StartsWith("/api/v1/groups/", StringComparison.Ordinal)).Should().Be(memberReads);
        bitwarden.ImportRequests.Should().ContainSingle();

        okta.Directory.RemoveMember(engineering, alice);
        okta.Directory.Deactivate(bob);
        var third = await SyncAsync();
        third.ExitCode.Should().Be(0, third.ToString());
        Organization().Should().Equal("alice@example.com", "carol@example.com", "Engineering:");
    }

    [Fact]
    public async Task Okta_service_app_requiring_dpop_test_and_sync_then_a_second_sync_posts_nothing()
    {
        await using var okta = await OktaStandIn.StartAsync();
        var alice = okta.Directory.AddUser("alice@example.com");
        var bob = okta.Directory.AddUser("bob@example.com");
        okta.Directory.AddGroup("Engineering", "OKTA_GROUP", alice, bob);
        using var key = RSA.Create(2048);
        using var publicKey = RSA.Create();
        publicKey.ImportRSAPublicKey(key.ExportRSAPublicKey(), out _);
        const string ClientId = "0oaprocesstestsvc";
        okta.RegisterServiceApp(ClientId, new RsaSecurityKey(publicKey), ["okta.users.read", "okta.groups.read"], requireDpop: true);
        WriteManifest($"""
            okta:
              orgUrl: {okta.OrgUrl}
              oauth:
                clientId: {ClientId}
                privateKeySecretRef: {"{"}name: okta-app, key: private-key{"}"}
              caSecretRef: {"{"}name: okta-app, key: ca.crt{"}"}
            """, ("okta-app", "private-key", key.ExportPkcs8PrivateKeyPem()), ("okta-app", "ca.crt", okta.CaPem));

        await TestThenSyncTwiceAsync("2 members (2 enabled, 0 disabled, 0 deleted), 1 group", "alice@example.com", "bob@example.com", "Engineering: alice@example.com bob@example.com");

        okta.Requests.Where(r => r.Path.StartsWith("/api/v1/", StringComparison.Ordinal)).Should().NotBeEmpty()
            .And.OnlyContain(r => r.Headers["Authorization"]!.StartsWith("DPoP ", StringComparison.Ordinal) && r.Headers.ContainsKey("DPoP"), "the app requires DPoP-bound tokens");
    }

    [Fact]
    public async Task One_login_test_and_sync_then_a_second_sync_posts_nothing()
    {
        await using var oneLogin = await OneLoginStandIn.StartAsync(new OneLoginStandInOptions { DefaultPageSize = 2, MaxPageSize = 2 });
        oneLogin.Account.Put(
            new OneLoginStandInUser(1, "alice", "alice@example.com"), new OneLoginStandInUser(2, "bob", "bob@example.com"),
            new OneLoginStandInUser(3, "carol", "carol@example.com", Status: 2));
        oneLogin.Account.Put(new OneLoginStandInRole(10, "Engineering", [1, 2]));
        WriteManifest($"""
            oneLogin:
              apiUrl: {oneLogin.BaseUrl}
              clientId: {oneLogin.ClientId}
              clientSecretRef: {"{"}name: onelogin-api, key: client-secret{"}"}
              caSecretRef: {"{"}name: onelogin-api, key: ca.crt{"}"}
            """, ("onelogin-api", "client-secret", oneLogin.ClientSecret), ("onelogin-api", "ca.crt", oneLogin.CaPem));

        await TestThenSyncTwiceAsync("3 members (2 enabled, 1 disabled, 0 deleted), 1 group",
            "alice@example.com", "bob@example.com", "carol@example.com", "Engineering: alice@example.com bob@example.com");
    }

    /// <summary>stdout of the last run.</summary>
    private string LastOutput => last?.Output ?? "";

    /// <summary>`test` (exit 0, <paramref name="summary"/> on stdout, nothing posted), `sync` (the organization is
    /// <paramref name="organization"/>), then `sync` again (exit 0, nothing posted, the organization unchanged).</summary>
    /// <summary>A DirectorySync on <paramref name="slapd"/>'s suffix over <paramref name="encryption"/>, trusting its CA.</summary>
    private void WriteLdapManifest(SlapdServer slapd, SlapdSuffix suffix, int port, string encryption)
        => WriteManifest($"""
            ldap:
              hostname: {SlapdServer.Host}
              port: {port}
              encryption: {encryption}
              caSecretRef: {"{"}name: ldap-ca, key: ca.crt{"}"}
              rootPath: {suffix.Suffix}
              userPath: ou=People
              groupPath: ou=Groups
              username: {suffix.AdminDn}
              passwordSecretRef: {"{"}name: ldap-bind, key: password{"}"}
            """, ("ldap-bind", "password", suffix.AdminPassword), ("ldap-ca", "ca.crt", slapd.Certificates.CaPem));

    private async Task TestThenSyncTwiceAsync(string summary, params string[] organization)
    {
        var test = await TestAsync();
        test.Output.Should().Contain(summary, test.ToString());

        var first = await SyncAsync();
        first.ExitCode.Should().Be(0, first.ToString());
        first.Output.Should().Contain("Synced: posted members and groups.", first.ToString());
        Organization().Should().Equal(organization, first.ToString());
        bitwarden.ImportRequests.Should().ContainSingle();

        var second = await SyncAsync();
        second.ExitCode.Should().Be(0, second.ToString());
        second.Output.Should().StartWith("Up to date: nothing changed since the last sync, nothing posted.", second.ToString());
        bitwarden.ImportRequests.Should().ContainSingle("the second sync must not post");
        Organization().Should().Equal(organization);
    }

    private async Task<CliResult> TestAsync()
    {
        var imports = bitwarden.ImportRequests.Count;
        var test = await RunAsync("test", "-f", ManifestPath, "-f", SecretsPath);
        test.ExitCode.Should().Be(0, test.ToString());
        bitwarden.ImportRequests.Should().HaveCount(imports, "test never posts");
        return test;
    }

    private Task<CliResult> SyncAsync() => RunAsync("sync", "-f", ManifestPath, "-f", SecretsPath, "--state", StatePath);

    /// <summary>Runs the executable in the folder (HOME too), as a user runs it from a shell.</summary>
    private async Task<CliResult> RunAsync(params string[] args)
    {
        using var process = CliProcess.Start(CliProcess.BuiltExecutable, args, new Dictionary<string, string?> { ["HOME"] = folder, ["DOTNET_NOLOGO"] = "1" }, folder);
        var exitCode = await process.WaitForExitAsync(TimeSpan.FromMinutes(1));
        exitCode.Should().NotBeNull($"{string.Join(' ', args)} did not exit within a minute\n{process}");
        last = new CliResult(exitCode!.Value, process.Output, process.Error);
        return last;
    }

    /// <summary>Writes the DirectorySync with <paramref name="source"/> under spec.source, and its Secrets (the API key's
    /// and <paramref name="secrets"/>) in a file of their own, as the samples come.</summary>
    private void WriteManifest(string source, params (string Secret, string Key, string Value)[] secrets)
    {
        File.WriteAllText(ManifestPath, new StringBuilder()
            .Append("apiVersion: directoryconnector.dev/v1alpha1\nkind: DirectorySync\nmetadata: {name: sources, namespace: bitwarden}\nspec:\n")
            .Append("  bitwarden:\n    serverUrl: ").Append(bitwarden.BaseUrl).Append("\n    apiKeySecretRef: {name: bitwarden-org-api-key}\n")
            .Append("  source:\n").Append(Indent(source, 4)).Append('\n')
            .Append("  sync: {users: true, groups: true}\n").ToString());
        var text = new StringBuilder();
        foreach (var secret in secrets.Append(("bitwarden-org-api-key", "client_id", bitwarden.ClientId)).Append(("bitwarden-org-api-key", "client_secret", bitwarden.ClientSecret))
                     .GroupBy(s => s.Item1))
        {
            text.Append("---\napiVersion: v1\nkind: Secret\nmetadata: {name: ").Append(secret.Key).Append(", namespace: bitwarden}\ntype: Opaque\nstringData:\n");
            foreach (var (_, key, value) in secret)
            {
                text.Append("  ").Append(key).Append(": |-\n").Append(Indent(value, 4)).Append('\n');
            }
        }

        File.WriteAllText(SecretsPath, text.ToString());
    }

    private static async Task SeedLdapAsync(SlapdServer slapd, SlapdSuffix suffix)
    {
        string Person(string cn) => $"dn: cn={cn},ou=People,{suffix.Suffix}\nobjectClass: inetOrgPerson\ncn: {cn}\nsn: {cn}\nmail: {cn.ToLowerInvariant()}@sync.test\n";
        await slapd.AddLdifAsync(suffix, string.Join('\n',
            $"dn: ou=People,{suffix.Suffix}\nobjectClass: organizationalUnit\nou: People\n",
            $"dn: ou=Groups,{suffix.Suffix}\nobjectClass: organizationalUnit\nou: Groups\n",
            Person("Ann"), Person("Ben"),
            $"dn: cn=Staff,ou=Groups,{suffix.Suffix}\nobjectClass: groupOfNames\ncn: Staff\nmember: cn=Ann,ou=People,{suffix.Suffix}\nmember: cn=Ben,ou=People,{suffix.Suffix}\n"));
    }

    private static string Indent(string text, int spaces) =>
        string.Join('\n', text.Trim().Split('\n').Select(line => new string(' ', spaces) + line.TrimEnd('\r')));

    /// <summary>Member emails (sorted), then "group: member emails" per group.</summary>
    private string[] Organization()
    {
        var organization = bitwarden.Organization;
        var emails = organization.Members.Where(m => m.ExternalId is not null).ToDictionary(m => m.ExternalId!, m => m.Email, StringComparer.Ordinal);
        return
        [
            .. organization.Members.Select(m => m.Email).Order(StringComparer.Ordinal),
            .. organization.Groups.Select(g => $"{g.Name}: {string.Join(' ', organization.MemberExternalIdsOf(g).Select(id => emails[id]).Order(StringComparer.Ordinal))}".TrimEnd())
                .Order(StringComparer.Ordinal),
        ];
    }
}
