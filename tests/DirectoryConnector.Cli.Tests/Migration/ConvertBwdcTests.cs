using System.Text.Json;
using DirectoryConnector.Cli.Migration;
using DirectoryConnector.Cli.Tests.EndToEnd;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources.EntraId;
using DirectoryConnector.Engine.Sources.Ldap;
using DirectoryConnector.TestSupport;
using DirectoryConnector.TestSupport.EntraId;
using DirectoryConnector.TestSupport.GoogleWorkspace;
using DirectoryConnector.TestSupport.Okta;
using DirectoryConnector.TestSupport.OneLogin;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Cli.Tests.Migration;

/// <summary><c>convert-bwdc</c> on data.json files of every directory type (our own settings, committed in
/// Migration/data): the output reads back strictly, validates, maps each setting, and reports what it leaves out.</summary>
public sealed class ConvertBwdcTests
{
    [Theory]
    [InlineData("active-directory.data.json", "active-directory")]
    [InlineData("ldap.data.json", "ldap")]
    [InlineData("entra-id.data.json", "entra-id")]
    [InlineData("entra-id-azure-state-v4.data.json", "entra-id")]
    [InlineData("google-workspace.data.json", "google-workspace")]
    [InlineData("okta.data.json", "okta")]
    [InlineData("onelogin-state-v3.data.json", "onelogin")]
    public async Task EveryDirectoryTypeConvertsToManifestsThatValidate(string dataJson, string defaultName)
    {
        using var converted = await ConvertedManifests.ConvertAsync(ConvertedManifests.Committed(dataJson), "--namespace", "bitwarden");

        converted.Result.ExitCode.Should().Be(0, converted.Result.ToString());
        converted.Result.Output.Should().BeEmpty("-o writes the manifests to the file");
        var set = await converted.ReadAsync();
        var directorySync = set.DirectorySyncs.Should().ContainSingle().Subject;
        directorySync.Name.Should().Be(defaultName);
        directorySync.Namespace.Should().Be("bitwarden");
        EngineServices.Validator.Validate(directorySync.Spec).Should().BeEmpty();

        // Every Secret key the spec references is in the output, in the same namespace.
        var references = SecretKeys(directorySync.Spec).ToList();
        references.Should().HaveCountGreaterThan(2, "the API key's two keys and the directory's credential");
        foreach (var (secret, key) in references)
        {
            set.Secrets.Should().Contain(s => s.Name == secret && s.Namespace == "bitwarden" && s.Values.ContainsKey(key), "the spec references {0}/{1}", secret, key);
        }

        converted.Result.Error.Should().Contain($"to do: Secret {defaultName}-bitwarden-api-key: put the organization API key's client_secret");
    }

    [Fact]
    public async Task ActiveDirectoryMapsEverySettingAndReportsTheTimestampAttributes()
    {
        using var converted = await ConvertedManifests.ConvertAsync(ConvertedManifests.Committed("active-directory.data.json"));

        converted.Result.ExitCode.Should().Be(0, converted.Result.ToString());
        var spec = (await converted.ReadAsync()).DirectorySyncs.Single().Spec;
        spec.Interval.Should().Be("30m");
        spec.Bitwarden.ServerUrl.Should().Be("https://vault.corp.example.com", "environmentUrls.base without its trailing slash");
        spec.Bitwarden.ApiUrl.Should().BeNull();
        spec.Bitwarden.OrganizationId.Should().Be("6d5a3b8e-1c2f-4a9b-8e7d-0f1e2d3c4b5a");
        spec.Bitwarden.InviteUsersAfterProvisioning.Should().BeTrue();
        var ldap = spec.Source.Ldap!;
        (ldap.Hostname, ldap.Port, ldap.Encryption, ldap.ActiveDirectory, ldap.PagedSearch).Should().Be(("dc1.corp.example.com", 636, LdapEncryption.Ldaps, true, true));
        ldap.CaSecretRef!.Name.Should().Be("active-directory-ca");
        ldap.InsecureSkipVerify.Should().BeFalse();
        (ldap.RootPath, ldap.Username, ldap.PasswordSecretRef.Name, ldap.PasswordSecretRef.Key).Should().Be(("DC=corp,DC=example,DC=com", "CORP\\svc-bitwarden", "active-directory-bind-password", "password"));
        (ldap.UserPath, ldap.GroupPath, ldap.UserObjectClass, ldap.GroupObjectClass).Should().Be(("OU=Staff", "OU=Groups", "person", "group"));
        (ldap.UserEmailAttribute, ldap.GroupNameAttribute, ldap.MemberAttribute).Should().Be(("mail", "name", "member"));
        (ldap.UseEmailPrefixSuffix, ldap.EmailPrefixAttribute, ldap.EmailSuffix).Should().Be((true, "sAMAccountName", "@corp.example.com"));
        spec.Filters.Users.Should().Be("(memberOf=CN=Bitwarden Users,OU=Groups,DC=corp,DC=example,DC=com)");
        spec.Filters.Groups.Should().Be("(cn=Team *)");
        (spec.Sync.Users, spec.Sync.Groups, spec.Sync.RemoveDisabled, spec.Sync.OverwriteExisting, spec.Sync.LargeImport).Should().Be((true, true, true, false, true));

        var notes = Lines(converted.Result.Error);
        notes.Should().Contain(l => l.StartsWith("not carried over: sync.revisionDateAttribute: \"whenChanged\"", StringComparison.Ordinal));
        notes.Should().Contain(l => l.StartsWith("not carried over: sync.creationDateAttribute: \"whenCreated\": the original never used it", StringComparison.Ordinal));
        notes.Should().Contain(l => l.StartsWith("not carried over: directoryLdap.domain:", StringComparison.Ordinal));
        notes.Should().Contain(l => l.StartsWith("not carried over: lastUserSync, lastGroupSync, lastSyncHash, syncingDir: the original's sync state", StringComparison.Ordinal));
        notes.Should().Contain(l => l.StartsWith("to do: Secret active-directory-ca: put the PEM file C:\\ProgramData\\corp\\corp-root-ca.pem in key ca.crt", StringComparison.Ordinal));
        notes.Should().Contain(l => l.StartsWith("to do: Secret active-directory-bind-password: put the bind password of CORP\\svc-bitwarden in key password", StringComparison.Ordinal));
        notes.Should().NotContain(l => l.Contains("enableTray", StringComparison.Ordinal) || l.Contains("appId", StringComparison.Ordinal), "the desktop app's own settings are not directory settings");
    }

    [Fact]
    public async Task OpenLdapWithStartTlsMapsEverySetting()
    {
        using var converted = await ConvertedManifests.ConvertAsync(ConvertedManifests.Committed("ldap.data.json"));

        converted.Result.ExitCode.Should().Be(0, converted.Result.ToString());
        var set = await converted.ReadAsync();
        var spec = set.DirectorySyncs.Single().Spec;
        spec.Interval.Should().Be("60m");
        spec.Bitwarden.ServerUrl.Should().Be("https://bitwarden.example.net");
        var ldap = spec.Source.Ldap!;
        (ldap.Hostname, ldap.Port, ldap.Encryption, ldap.ActiveDirectory, ldap.PagedSearch).Should().Be(("ldap.example.net", 389, LdapEncryption.StartTls, false, true));
        (ldap.RootPath, ldap.Username, ldap.UserPath, ldap.GroupPath).Should().Be(("dc=example,dc=net", "cn=bitwarden-reader,ou=Services,dc=example,dc=net", "ou=People", "ou=Groups"));
        (ldap.UserObjectClass, ldap.GroupObjectClass, ldap.MemberAttribute, ldap.GroupNameAttribute).Should().Be(("inetOrgPerson", "groupOfNames", "member", "cn"));
        (spec.Filters.Users, spec.Filters.Groups).Should().Be(("(objectClass=inetOrgPerson)", "(cn=bw-*)"));
        ldap.CaSecretRef!.Name.Should().Be("ldap-ca", "StartTLS verifies the server with tlsCaPath");
        set.Secrets.Should().Contain(s => s.Name == "ldap-ca" && s.Values.ContainsKey("ca.crt"));

        var notes = Lines(converted.Result.Error);
        notes.Should().Contain(l => l.StartsWith("to do: Secret ldap-ca: put the PEM file /etc/ssl/certs/example-net-ca.pem in key ca.crt", StringComparison.Ordinal));
        notes.Should().Contain(l => l.StartsWith("not carried over: sync.revisionDateAttribute: \"modifyTimestamp\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EntraIdUnderItsOldNameAzureFromStateVersion4()
    {
        using var converted = await ConvertedManifests.ConvertAsync(ConvertedManifests.Committed("entra-id-azure-state-v4.data.json"));

        converted.Result.ExitCode.Should().Be(0, converted.Result.ToString());
        var spec = (await converted.ReadAsync()).DirectorySyncs.Single().Spec;
        var entra = spec.Source.EntraId!;
        (entra.Tenant, entra.ApplicationId, entra.Cloud).Should().Be(("fabrikam.onmicrosoft.com", "22222222-3333-4444-8555-666666666666", EntraIdCloud.Global));
        entra.ClientSecretRef!.Name.Should().Be("entra-id-client-secret");
        (spec.Interval, spec.Sync.RemoveDisabled, spec.Filters.Groups).Should().Be(("30m", true, "include:Engineering,Finance"));
        spec.Bitwarden.OrganizationId.Should().Be("7e6d5c4b-3a2f-4e1d-9c8b-7a6f5e4d3c2b");
        Lines(converted.Result.Error).Should().Contain(l => l.StartsWith("not carried over: ", StringComparison.Ordinal) && l.Contains("directorySettings.userDelta", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EntraIdInTheUsGovernmentCloudWithBitwardenEu()
    {
        using var converted = await ConvertedManifests.ConvertAsync(ConvertedManifests.Committed("entra-id.data.json"));

        converted.Result.ExitCode.Should().Be(0, converted.Result.ToString());
        var spec = (await converted.ReadAsync()).DirectorySyncs.Single().Spec;
        spec.Bitwarden.ServerUrl.Should().Be("https://vault.bitwarden.eu", "the EU cloud's api and identity URLs are the EU server");
        (spec.Bitwarden.ApiUrl, spec.Bitwarden.IdentityUrl).Should().Be((null, null));
        spec.Interval.Should().Be("5m", "the original raised intervals below 5 minutes to 5");
        var entra = spec.Source.EntraId!;
        (entra.Tenant, entra.ApplicationId, entra.Cloud).Should().Be(("contoso.onmicrosoft.us", "11111111-2222-4333-8444-555555555555", EntraIdCloud.UsGovernment));
        entra.ClientSecretRef!.Name.Should().Be("entra-id-client-secret");
        spec.Filters.Users.Should().Be("includeGroup:9f0e1d2c-3b4a-4c5d-8e6f-7a8b9c0d1e2f|exclude:breakglass@contoso.us");
        spec.Filters.Groups.Should().Be("exclude:Guests");

        var notes = Lines(converted.Result.Error);
        notes.Should().Contain(l => l.StartsWith("not carried over: sync.groupObjectClass, sync.userObjectClass, sync.groupPath", StringComparison.Ordinal)
            && l.Contains("sync.revisionDateAttribute", StringComparison.Ordinal) && l.EndsWith("LDAP settings; the original ignores them for directory type 1 too", StringComparison.Ordinal));
        notes.Should().Contain("not carried over: environmentUrls.webVault: only the desktop app's links to the web vault used it; syncing needs the API and identity URLs");
        notes.Should().Contain(l => l.StartsWith("changed: directoryEntra.identityAuthority: login.microsoftonline.us is cloud usGovernment", StringComparison.Ordinal));
        notes.Should().Contain(l => l.StartsWith("not carried over: userDeltaToken: the original's sync state", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GoogleWorkspaceKeepsTheClientEmailInTheKeyPlaceholder()
    {
        using var converted = await ConvertedManifests.ConvertAsync(ConvertedManifests.Committed("google-workspace.data.json"));

        converted.Result.ExitCode.Should().Be(0, converted.Result.ToString());
        var set = await converted.ReadAsync();
        var spec = set.DirectorySyncs.Single().Spec;
        var google = spec.Source.GoogleWorkspace!;
        (google.AdminUser, google.Customer, google.Domain).Should().Be(("admin@example.com", "C03az79cb", "example.com"));
        (spec.Sync.Users, spec.Sync.Groups, spec.Sync.RemoveDisabled).Should().Be((true, false, true));
        spec.Bitwarden.InviteUsersAfterProvisioning.Should().BeFalse("data.json turned invitations off");
        spec.Interval.Should().Be("15m", "an interval that was off leaves the default");
        spec.Filters.Users.Should().Be("exclude:joe@example.com | orgUnitPath=/Engineering");

        using var key = JsonDocument.Parse(set.Secrets.Single(s => s.Name == google.ServiceAccountKeySecretRef.Name).Values[google.ServiceAccountKeySecretRef.Key]);
        key.RootElement.GetProperty("type").GetString().Should().Be("service_account");
        key.RootElement.GetProperty("client_email").GetString().Should().Be("bitwarden-sync@example-project.iam.gserviceaccount.com");
        key.RootElement.GetProperty("private_key").GetString().Should().Contain(PlaceholderSecret.PrivateKey);
        Lines(converted.Result.Error).Should().Contain(l => l.StartsWith("changed: sync.interval: is off", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OneLoginFromTheAccountBasedLayoutOfStateVersion3()
    {
        using var converted = await ConvertedManifests.ConvertAsync(ConvertedManifests.Committed("onelogin-state-v3.data.json"), "--name", "corp-onelogin");

        converted.Result.ExitCode.Should().Be(0, converted.Result.ToString());
        var directorySync = (await converted.ReadAsync()).DirectorySyncs.Single();
        directorySync.Name.Should().Be("corp-onelogin");
        directorySync.Namespace.Should().BeNull("no --namespace: kubectl's current one");
        var spec = directorySync.Spec;
        spec.Bitwarden.ServerUrl.Should().Be("https://vault.example.org", "the original adds https:// to a base URL without a scheme");
        spec.Bitwarden.OrganizationId.Should().Be("3a2b1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d");
        var oneLogin = spec.Source.OneLogin!;
        (oneLogin.Region, oneLogin.ClientId, oneLogin.UseEmailPrefixSuffix, oneLogin.EmailSuffix).Should().Be(("eu", "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9", true, "@example.org"));
        oneLogin.ClientSecretRef.Name.Should().Be("corp-onelogin-client-secret");
        (spec.Filters.Users, spec.Filters.Groups).Should().Be(("include:ann@example.org,ben@example.org", "exclude:Contractors"));
        Lines(converted.Result.Error).Should().Contain(l => l.StartsWith("not carried over: c4f1a9e2-7b3d-4e5f-9a8b-1c2d3e4f5a6b.directorySettings.lastUserSync, c4f1a9e2-7b3d-4e5f-9a8b-1c2d3e4f5a6b.directorySettings.lastSyncHash", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OktaConvertedManifestsReadTheOrgThroughTestOnceTheTokenIsFilledIn()
    {
        await using var okta = await OktaStandIn.StartAsync(new OktaStandInOptions { MaxPageSize = 2 });
        var ann = okta.Directory.AddUser("ann@example.com");
        var ben = okta.Directory.AddUser("ben@example.com");
        var breakglass = okta.Directory.AddUser("breakglass@example.com");
        okta.Directory.AddGroup("Engineering", members: [ann, ben, breakglass]);
        okta.Directory.AddGroup("Finance", members: [ben]);

        var dataJson = File.ReadAllText(ConvertedManifests.Committed("okta.data.json"))
            .Replace("https://example.okta.com", okta.OrgUrl.AbsoluteUri.TrimEnd('/'), StringComparison.Ordinal);
        using var converted = await ConvertedManifests.ConvertTextAsync(dataJson, "--namespace", "bitwarden");
        converted.Result.ExitCode.Should().Be(0, converted.Result.ToString());
        Lines(converted.Result.Error).Should().Contain("not carried over: directoryLdap: settings of directory type 0, left over from before; directoryType is 3");

        // What the administrator does: the token into its Secret; and here, since the stand-in's certificate comes
        // from a test CA, that CA as for a TLS-inspecting proxy.
        converted.Fill(PlaceholderSecret.ApiToken, okta.ApiToken);
        converted.TrustTestCa("      tokenSecretRef:", okta.CaPem, "bitwarden");

        var result = await CliRunner.RunAsync("test", "-f", converted.ManifestPath, "-o", "json");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().NotContain(okta.ApiToken);
        using var sent = JsonDocument.Parse(result.Output);
        var request = sent.RootElement.GetProperty("requests").EnumerateArray().Should().ContainSingle().Subject;
        request.GetProperty("overwriteExisting").GetBoolean().Should().BeTrue("sync.overwriteExisting was on");
        request.GetProperty("members").EnumerateArray().Select(m => (m.GetProperty("email").GetString(), m.GetProperty("externalId").GetString()))
            .Should().BeEquivalentTo([("ann@example.com", ann.Id), ("ben@example.com", ben.Id)], "userFilter exclude:breakglass@example.com is carried over");
        request.GetProperty("groups").EnumerateArray().Select(g => g.GetProperty("name").GetString())
            .Should().BeEquivalentTo(["Engineering"], "groupFilter include:Engineering,Sales is carried over");
    }

    [Fact]
    public async Task OneLoginConvertedManifestsReadTheAccountThroughTestOnceTheSecretIsFilledIn()
    {
        await using var oneLogin = await OneLoginStandIn.StartAsync();
        oneLogin.Account.Put(
            new OneLoginStandInUser(1, "ann", "ann@example.org"),
            new OneLoginStandInUser(2, "ben", Email: null),
            new OneLoginStandInUser(3, "carl", "carl@example.org"));
        oneLogin.Account.Put(new OneLoginStandInRole(10, "Engineering", [1, 2, 3]), new OneLoginStandInRole(11, "Contractors", [2]));
        var dataJson = File.ReadAllText(ConvertedManifests.Committed("onelogin-state-v3.data.json"))
            .Replace("0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9", oneLogin.ClientId, StringComparison.Ordinal);
        using var converted = await ConvertedManifests.ConvertTextAsync(dataJson, "--namespace", "bitwarden");
        converted.Result.ExitCode.Should().Be(0, converted.Result.ToString());

        converted.Fill(PlaceholderSecret.DirectoryClientSecret, oneLogin.ClientSecret);
        converted.TrustTestCa("      clientSecretRef:", oneLogin.CaPem, "bitwarden", $"apiUrl: {oneLogin.BaseUrl.AbsoluteUri.TrimEnd('/')}");

        var (members, groups) = await SentByTestAsync(converted, oneLogin.ClientSecret);

        members.Should().BeEquivalentTo(["ann@example.org", "ben@example.org"], "userFilter include:ann@example.org,ben@example.org, and ben's address built from useEmailPrefixSuffix");
        groups.Should().BeEquivalentTo(["Engineering"], "groupFilter exclude:Contractors");
    }

    [Fact]
    public async Task GoogleWorkspaceConvertedManifestsReadTheCustomerThroughTestOnceThePrivateKeyIsFilledIn()
    {
        await using var google = await GoogleWorkspaceStandIn.StartAsync();
        google.AddUser("admin@example.com", isAdmin: true);
        google.AddUser("ann@example.com", orgUnitPath: "/Engineering");
        google.AddUser("joe@example.com", orgUnitPath: "/Engineering");
        google.AddUser("zed@example.com", orgUnitPath: "/Sales");
        var dataJson = File.ReadAllText(ConvertedManifests.Committed("google-workspace.data.json"))
            .Replace("bitwarden-sync@example-project.iam.gserviceaccount.com", google.ServiceAccount.ClientEmail, StringComparison.Ordinal);
        using var converted = await ConvertedManifests.ConvertTextAsync(dataJson, "--namespace", "bitwarden");
        converted.Result.ExitCode.Should().Be(0, converted.Result.ToString());

        // The original's privateKey (the PEM of the service account's key) pasted into private_key, newlines as \n.
        var pem = google.ServiceAccount.PrivateKeyPem.Replace("\r", "", StringComparison.Ordinal).TrimEnd('\n').Replace("\n", "\\n", StringComparison.Ordinal) + "\\n";
        converted.Fill($"-----BEGIN PRIVATE KEY-----\\n{PlaceholderSecret.PrivateKey}\\n-----END PRIVATE KEY-----\\n", pem);
        converted.TrustTestCa("      serviceAccountKeySecretRef:", google.CaPem, "bitwarden", $"tokenUrl: {google.TokenUrl}", $"apiUrl: {google.BaseUrl}");

        var (members, groups) = await SentByTestAsync(converted, "PRIVATE KEY");

        members.Should().BeEquivalentTo(["ann@example.com"], "userFilter exclude:joe@example.com | orgUnitPath=/Engineering");
        groups.Should().BeEmpty("sync.groups was off");
    }

    [Fact]
    public async Task EntraIdConvertedManifestsReadTheTenantThroughTestOnceTheSecretIsFilledIn()
    {
        await using var entra = await EntraIdStandIn.StartAsync();
        const string Engineering = "9f0e1d2c-3b4a-4c5d-8e6f-7a8b9c0d1e2f";
        foreach (var (id, name) in new[] { ("a0000000-0000-4000-8000-000000000001", "ann"), ("a0000000-0000-4000-8000-000000000002", "ben"), ("a0000000-0000-4000-8000-000000000003", "breakglass"), ("a0000000-0000-4000-8000-000000000004", "carl") })
        {
            entra.Tenant.AddUser(new EntraUser(id, $"{name}@contoso.us", $"{name}@contoso.us", DisplayName: name));
        }

        entra.Tenant.AddGroup(Engineering, "Engineering", "a0000000-0000-4000-8000-000000000001", "a0000000-0000-4000-8000-000000000002", "a0000000-0000-4000-8000-000000000003");
        entra.Tenant.AddGroup("b0000000-0000-4000-8000-000000000001", "Guests", "a0000000-0000-4000-8000-000000000004");
        var dataJson = File.ReadAllText(ConvertedManifests.Committed("entra-id.data.json"))
            .Replace("contoso.onmicrosoft.us", entra.TenantId, StringComparison.Ordinal)
            .Replace("11111111-2222-4333-8444-555555555555", entra.ApplicationId, StringComparison.Ordinal);
        using var converted = await ConvertedManifests.ConvertTextAsync(dataJson, "--namespace", "bitwarden");
        converted.Result.ExitCode.Should().Be(0, converted.Result.ToString());

        converted.Fill(PlaceholderSecret.DirectoryClientSecret, entra.ClientSecret);
        converted.TrustTestCa("      clientSecretRef:", entra.CaPem, "bitwarden", $"authorityHost: {entra.BaseUrl.AbsoluteUri}", $"graphUrl: {entra.BaseUrl.AbsoluteUri}");

        var (members, groups) = await SentByTestAsync(converted, entra.ClientSecret);

        members.Should().BeEquivalentTo(["ann@contoso.us", "ben@contoso.us"], "userFilter includeGroup:<Engineering>|exclude:breakglass@contoso.us");
        groups.Should().BeEquivalentTo(["Engineering"], "groupFilter exclude:Guests");
    }

    [Fact]
    public async Task SecretsDataJsonHoldsInPlainTextAreNeverCopied()
    {
        const string Password = "Plain-Text-Bind-Password-7781";
        const string ClientSecret = "plain-text-api-key-secret-5523";
        var dataJson = $$"""
            {
              "directoryType": 0,
              "apiKeyClientId": "organization.6d5a3b8e-1c2f-4a9b-8e7d-0f1e2d3c4b5a",
              "apiKeyClientSecret": "{{ClientSecret}}",
              "directoryLdap": {"hostname": "ldap.example.com", "rootPath": "dc=example,dc=com", "username": "cn=svc,dc=example,dc=com", "password": "{{Password}}", "ad": false},
              "sync": {"users": true, "groups": true}
            }
            """;

        using var converted = await ConvertedManifests.ConvertTextAsync(dataJson);

        converted.Result.ExitCode.Should().Be(0, converted.Result.ToString());
        (converted.Yaml + converted.Result.Error).Should().NotContain(Password).And.NotContain(ClientSecret);
        var set = await converted.ReadAsync();
        set.Secrets.Single(s => s.Name == "ldap-bind-password").Values["password"].Should().Be(PlaceholderSecret.BindPassword);
        set.Secrets.Single(s => s.Name == "ldap-bitwarden-api-key").Values["client_id"].Should().Be("organization.6d5a3b8e-1c2f-4a9b-8e7d-0f1e2d3c4b5a", "the client id names the organization; it is no secret");
        var notes = Lines(converted.Result.Error);
        notes.Should().Contain(l => l.StartsWith("not carried over: directoryLdap.password: data.json holds this secret in plain text", StringComparison.Ordinal));
        notes.Should().Contain(l => l.StartsWith("not carried over: apiKeyClientSecret: data.json holds this secret in plain text", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LdapConnectionQuirksOfTheOriginalAreConvertedToWhatItActuallyDid()
    {
        // rootPath cut at the first dc=, StartTLS only with ssl, port 389 whatever the encryption.
        var dataJson = """
            {
              "directoryType": 0,
              "directoryLdap": {"hostname": "ldap.example.com", "ssl": false, "startTls": true, "tlsCaPath": "/etc/ssl/corp.pem",
                                "sslAllowUnauthorized": true, "sslCertPath": "/etc/ssl/client.pem", "rootPath": "ou=Staff,dc=example,dc=com",
                                "username": "cn=svc,dc=example,dc=com", "password": "[STORED SECURELY]", "ad": false, "currentUser": true},
              "sync": {"users": true, "groups": false, "interval": null, "futureOption": 3}
            }
            """;

        using var converted = await ConvertedManifests.ConvertTextAsync(dataJson);

        converted.Result.ExitCode.Should().Be(0, converted.Result.ToString());
        var ldap = (await converted.ReadAsync()).DirectorySyncs.Single().Spec.Source.Ldap!;
        (ldap.Encryption, ldap.Port, ldap.RootPath, ldap.CaSecretRef, ldap.InsecureSkipVerify).Should().Be((LdapEncryption.None, 389, "dc=example,dc=com", null, false));
        var notes = Lines(converted.Result.Error);
        notes.Should().Contain(l => l.StartsWith("changed: directoryLdap.startTls: is true but directoryLdap.ssl is false", StringComparison.Ordinal));
        notes.Should().Contain(l => l.StartsWith("changed: directoryLdap.rootPath: \"ou=Staff,dc=example,dc=com\": the original searched from \"dc=example,dc=com\"", StringComparison.Ordinal));
        notes.Should().Contain("not carried over: directoryLdap.tlsCaPath: the connection uses no TLS");
        notes.Should().Contain("not carried over: directoryLdap.sslAllowUnauthorized: the connection uses no TLS");
        notes.Should().Contain(l => l.StartsWith("not carried over: directoryLdap.sslCertPath: TLS client certificates are not supported", StringComparison.Ordinal));
        notes.Should().Contain(l => l.StartsWith("not carried over: directoryLdap.currentUser:", StringComparison.Ordinal));
        notes.Should().Contain(l => l.StartsWith("not carried over: sync.futureOption: not a setting this conversion knows", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("{\"directoryType\": 0,", "is not JSON")]
    [InlineData("[1, 2]", "data.json: is not a JSON object")]
    [InlineData("{\"sync\": {\"users\": true}}", "directoryType: is missing")]
    [InlineData("{\"directoryType\": 7, \"sync\": {\"users\": true}}", "directoryType: 7 is not a directory type of the original connector")]
    [InlineData("{\"directoryType\": \"okta\"}", "directoryType: expected a whole number")]
    [InlineData("{\"directoryType\": 3, \"sync\": {\"users\": true}}", "directoryOkta: is missing, but directoryType is 3")]
    [InlineData("{\"directoryType\": 3, \"directoryOkta\": {\"token\": \"[STORED SECURELY]\"}, \"sync\": {\"users\": true}}", "directoryOkta.orgUrl: is missing or empty")]
    [InlineData("{\"directoryType\": 0, \"directoryLdap\": {\"rootPath\": \"dc=x\", \"username\": \"cn=a\"}, \"sync\": {\"users\": true}}", "directoryLdap.hostname: is missing or empty")]
    [InlineData("{\"directoryType\": 0, \"directoryLdap\": {\"hostname\": \"h\", \"username\": \"cn=a\"}, \"sync\": {\"users\": true}}", "directoryLdap.rootPath: is missing or empty")]
    [InlineData("{\"directoryType\": 0, \"directoryLdap\": {\"hostname\": \"h\", \"rootPath\": \"dc=x\", \"username\": \"cn=a\", \"ssl\": \"yes\"}, \"sync\": {\"users\": true}}", "directoryLdap.ssl: expected true or false")]
    [InlineData("{\"directoryType\": 3, \"directoryOkta\": {\"orgUrl\": \"https://x.okta.com\"}}", "sync: is missing")]
    [InlineData("{\"directoryType\": 3, \"directoryOkta\": {\"orgUrl\": \"https://x.okta.com\"}, \"sync\": {\"users\": false}}", "sync: users and groups are both false or unset")]
    [InlineData("{\"directoryType\": 1, \"directoryEntra\": {\"tenant\": \"t\", \"applicationId\": \"a\", \"identityAuthority\": \"login.example.com\"}, \"sync\": {\"users\": true}}", "directoryEntra.identityAuthority: \"login.example.com\" is neither")]
    [InlineData("{\"directoryType\": 4, \"directoryOnelogin\": {\"clientId\": \"c\", \"region\": \"ap\"}, \"sync\": {\"users\": true}}", "directoryOnelogin.region: \"ap\" is not a OneLogin region")]
    public async Task BadDataJsonExitsTwoNamingTheKey(string dataJson, string message)
    {
        using var converted = await ConvertedManifests.ConvertTextAsync(dataJson);

        converted.Result.ExitCode.Should().Be(2, converted.Result.ToString());
        converted.Result.Error.Should().StartWith("error: ").And.Contain(message);
        File.Exists(converted.ManifestPath).Should().BeFalse("nothing is written from a data.json that cannot be converted");
    }

    [Fact]
    public async Task NotJsonNamesTheLineAndColumnCountedFromOne()
    {
        using var converted = await ConvertedManifests.ConvertTextAsync("{\n  \"directoryType\": 0,\n  oops\n}\n");

        converted.Result.ExitCode.Should().Be(2, converted.Result.ToString());
        converted.Result.Error.Should().Contain("data.json: is not JSON (").And.Contain(" at line 3, column 3)", "oops is on the third line, in its third column")
            .And.NotContain("LineNumber", "System.Text.Json's own position counts lines from 0");
    }

    [Theory]
    [InlineData("yaml")]
    [InlineData("json")]
    [InlineData("YAML")]
    public async Task AnOutputFormatGivenToOutputIsRefusedSinceOutputNamesAFile(string format)
    {
        // In process the working directory is the tests' own: a file written there by mistake is removed.
        var stray = Path.Combine(Environment.CurrentDirectory, format);
        try
        {
            var result = await CliRunner.RunAsync("convert-bwdc", ConvertedManifests.Committed("okta.data.json"), "-o", format);

            result.ExitCode.Should().Be(2, result.ToString());
            result.Error.Should().StartWith($"error: --output {format}: is an output format, but convert-bwdc's -o names the file to write (the manifests are always YAML): "
                + $"leave -o out to print them, or give a file name such as directorysync.yaml (./{format} for a file named {format})");
            File.Exists(stray).Should().BeFalse();
        }
        finally
        {
            File.Delete(stray);
        }
    }

    [Fact]
    public async Task HelpSaysOutputIsAFileHereAndAFormatInTest()
    {
        var convert = await CliRunner.RunAsync("convert-bwdc", "--help");
        var test = await CliRunner.RunAsync("test", "--help");

        convert.Output.Should().Contain("-o, --output <file>").And.Contain("The file to write the manifests to (always YAML) instead of standard output. Not a format, unlike test's -o.");
        test.Output.Should().Contain("-o, --output <json|table>").And.Contain("The output format, as kubectl's -o: table (for people) or json");
    }

    [Fact]
    public async Task AFilterOurSyntaxRejectsIsReportedAgainstTheSpecField()
    {
        var dataJson = """
            {"directoryType": 3, "directoryOkta": {"orgUrl": "https://example.okta.com"}, "sync": {"users": true, "groups": true, "userFilter": "includes:ann@example.com"}}
            """;

        using var converted = await ConvertedManifests.ConvertTextAsync(dataJson);

        converted.Result.ExitCode.Should().Be(2, converted.Result.ToString());
        converted.Result.Error.Should().Contain("error: the converted DirectorySync okta: spec.filters.users:");
        File.Exists(converted.ManifestPath).Should().BeTrue("the manifests are written so the named field can be fixed there");
    }

    [Fact]
    public async Task WithoutOutputFileTheManifestsGoToStdout()
    {
        var result = await CliRunner.RunAsync("convert-bwdc", ConvertedManifests.Committed("okta.data.json"), "--name", "corp");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Contain("kind: DirectorySync").And.Contain("name: corp\n").And.Contain("name: corp-api-token");
        result.Error.Should().NotContain("kind: DirectorySync");
    }

    [Theory]
    [InlineData("missing-folder/corp.yaml", "the folder ", "does not exist; create it first")]
    [InlineData(".", "is a directory; give a file in it", "directorysync.yaml")]
    [InlineData("data.json", "is the data.json being converted", "give another file")]
    [InlineData("/dev/full", "cannot write the file", "/dev/full")]
    public async Task AnOutputFileThatCannotBeWrittenIsBadInputNamingIt(string output, string message, string detail)
    {
        var folder = Directory.CreateTempSubdirectory("dc-convert-out-").FullName;
        try
        {
            var dataJson = Path.Combine(folder, "data.json");
            File.Copy(ConvertedManifests.Committed("okta.data.json"), dataJson);
            var original = await File.ReadAllTextAsync(dataJson);
            var target = Path.IsPathRooted(output) ? output : Path.Combine(folder, output);

            var result = await CliRunner.RunAsync("convert-bwdc", dataJson, "-o", target);

            result.ExitCode.Should().Be(2, result.ToString());
            result.Error.Should().StartWith($"error: --output {target}: {message}").And.Contain(detail).And.NotContain("Unhandled exception");
            (await File.ReadAllTextAsync(dataJson)).Should().Be(original, "the data.json being converted is never overwritten");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task ADirectoryGivenAsDataJsonIsNamedAsOne()
    {
        var folder = Directory.CreateTempSubdirectory("dc-convert-dir-").FullName;
        try
        {
            var result = await CliRunner.RunAsync("convert-bwdc", folder);

            result.ExitCode.Should().Be(2, result.ToString());
            result.Error.Should().Be($"error: {folder}: is a directory; give the data.json file in it (`bwdc data-file` prints where it is)\n");
        }
        finally
        {
            Directory.Delete(folder);
        }
    }

    [Theory]
    [InlineData("--name", "Corp_AD")]
    [InlineData("--namespace", "-bitwarden")]
    public async Task NamesKubernetesWouldRejectAreBadInput(string option, string value)
    {
        var result = await CliRunner.RunAsync("convert-bwdc", ConvertedManifests.Committed("okta.data.json"), option, value);

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Contain($"error: {option} \"{value}\" is not a Kubernetes name");
    }

    /// <summary>Runs `test -o json` on the converted (and filled-in) manifests: the emails and group names of its one
    /// import request. <paramref name="secret"/> must not show in the output.</summary>
    private static async Task<(string?[] Members, string?[] Groups)> SentByTestAsync(ConvertedManifests converted, string secret)
    {
        var result = await CliRunner.RunAsync("test", "-f", converted.ManifestPath, "-o", "json");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().NotContain(secret);
        using var sent = JsonDocument.Parse(result.Output);
        var request = sent.RootElement.GetProperty("requests").EnumerateArray().Should().ContainSingle().Subject;
        return ([.. request.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("email").GetString())],
            [.. request.GetProperty("groups").EnumerateArray().Select(g => g.GetProperty("name").GetString())]);
    }

    /// <summary>(Secret, key) of every SecretKeyRef and of the API-key reference in the spec.</summary>
    private static IEnumerable<(string Secret, string Key)> SecretKeys(object? value) => value switch
    {
        null or string or ValueType => [],
        SecretKeyRef secret => [(secret.Name, secret.Key)],
        ApiKeySecretRef apiKey => [(apiKey.Name, apiKey.ClientIdKey), (apiKey.Name, apiKey.ClientSecretKey)],
        _ => value.GetType().GetProperties().Where(p => p.GetIndexParameters().Length == 0 && p.CanWrite).SelectMany(p => SecretKeys(p.GetValue(value))),
    };

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
