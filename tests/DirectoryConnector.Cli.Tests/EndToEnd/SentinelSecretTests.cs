using System.Text;
using System.Text.Json.Nodes;
using DirectoryConnector.Operator.Resources;
using DirectoryConnector.TestSupport.Bitwarden;
using DirectoryConnector.TestSupport.EntraId;
using DirectoryConnector.TestSupport.GoogleWorkspace;
using DirectoryConnector.TestSupport.Ldap;
using DirectoryConnector.TestSupport.Okta;
using DirectoryConnector.TestSupport.OneLogin;
using FluentAssertions;
using k8s;
using k8s.Models;
using Xunit;

namespace DirectoryConnector.Cli.Tests.EndToEnd;

/// <summary>
/// Issue 15's secrets promise, end to end with sentinel values for every secret: the Bitwarden client secret, the LDAP
/// bind password (a real slapd whose administrator password is a sentinel), the Okta API token, the OneLogin and
/// Entra ID client secrets and the Google Workspace service-account key (its private_key_id a sentinel, its private key
/// looked for line by line), right and wrong. The executable runs as a user runs it (`test` and `sync` at
/// `--log-level Trace`, table and JSON output, the state file; `operator` with JSON and text logs against the Kubernetes
/// API emulator, a failing and a succeeding sync), and no sentinel, nor its base64, appears in stdout, stderr, logs,
/// exceptions, the state file, the DirectorySyncs' status, Events, or the /metrics text.
/// </summary>
public sealed class SentinelSecretTests(SentinelSecretTests.Servers servers) : IClassFixture<SentinelSecretTests.Servers>, IDisposable
{
    public const string BitwardenSecret = "SENTINEL-bw-3f9a2c71d0";
    public const string WrongBitwardenSecret = "SENTINEL-bw-wrong-77e1c4";
    public const string BindPassword = "SENTINEL-ldap-8d41b6";
    public const string WrongBindPassword = "SENTINEL-ldap-wrong-2c9e";
    public const string OktaToken = "SENTINEL-okta-00aa55ee";
    public const string OneLoginSecret = "SENTINEL-onelogin-6be2";
    public const string EntraSecret = "SENTINEL-entra~4c7d";
    public const string GoogleKeyId = "SENTINEL-google-kid-5a17e0";

    private readonly string folder = Directory.CreateTempSubdirectory("dc-sentinel-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>Every sentinel starts with "SENTINEL-", so one look finds any of them, and their base64 (and base64url)
    /// always starts with the same 12 characters. A private key cannot start with "SENTINEL-": no line of the
    /// service-account keys' PEM bodies may appear either.</summary>
    private void ShouldHoldNoSentinel(string text, string where)
    {
        text.Should().NotContainEquivalentOf("SENTINEL", where).And.NotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes("SENTINEL-")), where)
            .And.NotContain("PRIVATE KEY", where);
        servers.PrivateKeyLines.Should().NotContain(line => text.Contains(line, StringComparison.Ordinal), where);
    }

    public static TheoryData<string> CliFlows() =>
    [
        "test ldap, table", "test ldap, -o json", "sync ldap", "sync with a wrong Bitwarden key", "sync with a wrong bind password",
        "test okta", "test okta with a wrong token", "test onelogin", "test onelogin with a wrong secret", "test entra id", "test entra id with a wrong secret",
        "test google workspace", "test google workspace with a wrong key",
    ];

    [Theory]
    [MemberData(nameof(CliFlows))]
    public async Task TheCliNeverShowsASecret(string flow)
    {
        await using var bitwarden = await BitwardenStandIn.StartAsync(new BitwardenStandInOptions { ClientSecret = BitwardenSecret });
        var state = Path.Combine(folder, "state.json");
        var (source, secrets, verb, exitCode) = flow switch
        {
            "test ldap, table" => (servers.LdapSource, Servers.BindSecret(BindPassword), new[] { "test" }, 0),
            "test ldap, -o json" => (servers.LdapSource, Servers.BindSecret(BindPassword), new[] { "test", "-o", "json" }, 0),
            "sync ldap" => (servers.LdapSource, Servers.BindSecret(BindPassword), new[] { "sync", "--state", state }, 0),
            "sync with a wrong Bitwarden key" => (servers.LdapSource, Servers.BindSecret(BindPassword), new[] { "sync", "--state", state }, 1),
            "sync with a wrong bind password" => (servers.LdapSource, Servers.BindSecret(WrongBindPassword), new[] { "sync", "--state", state }, 1),
            "test okta" => (servers.OktaSource, servers.OktaSecrets(OktaToken), new[] { "test" }, 0),
            "test okta with a wrong token" => (servers.OktaSource, servers.OktaSecrets("SENTINEL-okta-wrong-19bf"), new[] { "test" }, 1),
            "test onelogin" => (servers.OneLoginSource, servers.OneLoginSecrets(OneLoginSecret), new[] { "test" }, 0),
            "test onelogin with a wrong secret" => (servers.OneLoginSource, servers.OneLoginSecrets("SENTINEL-onelogin-wrong-0d3a"), new[] { "test" }, 1),
            "test entra id" => (servers.EntraSource, servers.EntraSecrets(EntraSecret), new[] { "test" }, 0),
            "test entra id with a wrong secret" => (servers.EntraSource, servers.EntraSecrets("SENTINEL-entra-wrong~8e1f"), new[] { "test" }, 1),
            "test google workspace" => (servers.GoogleSource, servers.GoogleSecrets(wrongKey: false), new[] { "test" }, 0),
            "test google workspace with a wrong key" => (servers.GoogleSource, servers.GoogleSecrets(wrongKey: true), new[] { "test" }, 1),
            _ => throw new ArgumentOutOfRangeException(nameof(flow)),
        };
        var apiKey = flow == "sync with a wrong Bitwarden key" ? WrongBitwardenSecret : BitwardenSecret;
        var manifest = Path.Combine(folder, "corp.yaml");
        await File.WriteAllTextAsync(manifest, $"""
            apiVersion: directoryconnector.dev/v1alpha1
            kind: DirectorySync
            metadata: {"{"}name: corp, namespace: bitwarden{"}"}
            spec:
              bitwarden: {"{"}serverUrl: "{bitwarden.BaseUrl}", apiKeySecretRef: {"{"}name: bw{"}"}{"}"}
              source: {source}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {"{"}name: bw, namespace: bitwarden{"}"}
            data: {"{"}client_id: {Base64(bitwarden.ClientId)}, client_secret: {Base64(apiKey)}{"}"}
            {secrets}
            """);

        using var process = CliProcess.Start(CliProcess.BuiltExecutable, [verb[0], "-f", manifest, .. verb[1..], "--log-level", "Trace"],
            new Dictionary<string, string?> { ["DOTNET_NOLOGO"] = "1" }, folder);
        var exit = await process.WaitForExitAsync(TimeSpan.FromMinutes(2));

        exit.Should().Be(exitCode, process.ToString());
        if (exitCode == 0)
        {
            process.Output.Should().Contain("ann@corp.test", "the run read the directory: " + process);
            process.Error.Should().MatchRegex(@"(?m)^(trce|dbug|info): ", "the logs are written (and searched)");
        }
        else
        {
            process.Error.Should().Contain("error: ", process.ToString());
        }

        ShouldHoldNoSentinel(process.Output, "stdout");
        ShouldHoldNoSentinel(process.Error, "stderr (logs and errors)");
        if (flow == "sync ldap")
        {
            File.Exists(state).Should().BeTrue();
            bitwarden.Organization.Members.Should().HaveCount(2, "the sync posted the directory");
        }

        if (File.Exists(state))
        {
            ShouldHoldNoSentinel(await File.ReadAllTextAsync(state), "the state file");
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task TheOperatorNeverShowsASecret(bool jsonLogs)
    {
        await using var cluster = await OperatorProcessCluster.StartAsync(new BitwardenStandInOptions { ClientSecret = BitwardenSecret });
        await cluster.PutDirectoryAsync(OperatorProcessCluster.DirectoryJson(users: 2));
        await PutSecretAsync(cluster, "bw-wrong", new() { ["client_id"] = cluster.Bitwarden.ClientId, ["client_secret"] = WrongBitwardenSecret });
        await PutSecretAsync(cluster, "ldap-bind", new() { ["password"] = BindPassword });
        await PutSecretAsync(cluster, "ldap-bind-wrong", new() { ["password"] = WrongBindPassword });
        await CreateAsync(cluster, "ldap", "bw-api-key", servers.LdapSpec("ldap-bind"));
        await CreateAsync(cluster, "wrong-key", "bw-wrong", new SourceSpecJson("file", new JsonObject
        {
            ["configMapRef"] = new JsonObject { ["name"] = "directory", ["key"] = "directory.json" }, ["format"] = "json",
        }));
        await CreateAsync(cluster, "wrong-password", "bw-api-key", servers.LdapSpec("ldap-bind-wrong"));

        using var process = cluster.StartOperator(jsonLogs, "--leader-elect=false", "--log-level", "Trace");
        var expected = new Dictionary<string, string> { ["ldap"] = "Synced", ["wrong-key"] = "BitwardenAuthFailed", ["wrong-password"] = "SourceAuthFailed" };
        var settled = await OperatorProcessCluster.WaitForAsync(() => expected.All(e => ReadyReason(cluster, e.Key) == e.Value), process);
        settled.Should().BeTrue($"{string.Join(", ", expected.Keys.Select(name => $"{name}: {ReadyReason(cluster, name)}"))}\n{process}");
        cluster.Bitwarden.Organization.Members.Should().HaveCount(2, "the good DirectorySync synced the directory");

        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(new Uri($"http://127.0.0.1:{cluster.HttpPort}/metrics"));
        metrics.Should().Contain("directorysync_").And.Contain("wrong-key");
        var events = KubernetesJson.Serialize(await cluster.Client.CoreV1.ListNamespacedEventAsync(OperatorProcessCluster.Namespace));
        events.Should().Contain("BitwardenAuthFailed").And.Contain("SourceAuthFailed");
        var directorySyncs = string.Join('\n', expected.Keys.Select(name => Stored(cluster, name)!.ToJsonString()));

        process.Terminate();
        (await process.WaitForExitAsync(TimeSpan.FromMinutes(1))).Should().Be(0, process.ToString());
        process.Output.Should().MatchRegex(jsonLogs ? @"(?m)^\{""EventId""" : @"(?m)^(trce|dbug|info): ", "the logs are written (and searched)");
        ShouldHoldNoSentinel(process.Output + process.Error, "the operator's logs");
        ShouldHoldNoSentinel(metrics, "/metrics");
        ShouldHoldNoSentinel(events, "Events");
        ShouldHoldNoSentinel(directorySyncs, "the DirectorySyncs (spec and status)");
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static JsonObject? Stored(OperatorProcessCluster cluster, string name)
        => cluster.Kube.Get($"{DirectorySync.Group}/{DirectorySync.Version}", DirectorySync.Plural, OperatorProcessCluster.Namespace, name);

    private static string? ReadyReason(OperatorProcessCluster cluster, string name)
        => (Stored(cluster, name)?["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>()
            .FirstOrDefault(c => c["type"]?.GetValue<string>() == "Ready")?["reason"]?.GetValue<string>();

    private static Task<V1Secret> PutSecretAsync(OperatorProcessCluster cluster, string name, Dictionary<string, string> values)
        => cluster.Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = OperatorProcessCluster.Namespace },
            Data = values.ToDictionary(v => v.Key, v => Encoding.UTF8.GetBytes(v.Value)),
        }, OperatorProcessCluster.Namespace);

    private static Task<object> CreateAsync(OperatorProcessCluster cluster, string name, string apiKeySecret, SourceSpecJson source)
    {
        var body = new JsonObject
        {
            ["apiVersion"] = $"{DirectorySync.Group}/{DirectorySync.Version}",
            ["kind"] = "DirectorySync",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = OperatorProcessCluster.Namespace },
            ["spec"] = new JsonObject
            {
                ["interval"] = "1h",
                ["bitwarden"] = new JsonObject
                {
                    ["serverUrl"] = cluster.Bitwarden.BaseUrl.ToString().TrimEnd('/'),
                    ["apiKeySecretRef"] = new JsonObject { ["name"] = apiKeySecret },
                },
                ["source"] = new JsonObject { [source.Kind] = source.Spec },
            },
        };
        return cluster.Client.CustomObjects.CreateNamespacedCustomObjectAsync(body, DirectorySync.Group, DirectorySync.Version,
            OperatorProcessCluster.Namespace, DirectorySync.Plural);
    }

    public sealed record SourceSpecJson(string Kind, JsonObject Spec);

    /// <summary>slapd (its administrator's password a sentinel) and the SaaS stand-ins, each with two users.</summary>
    public sealed class Servers : IAsyncLifetime
    {
        private const string Suffix = "dc=corp,dc=test";

        private SlapdServer slapd = null!;
        private OktaStandIn okta = null!;
        private OneLoginStandIn oneLogin = null!;
        private EntraIdStandIn entra = null!;
        private GoogleWorkspaceStandIn google = null!;

        // Another key of the same service account (its JSON key file and PEM): its assertions' signatures do not verify.
        private (string Json, string Pem) wrongGoogleKey;

        public string LdapSource => $"{{ldap: {{hostname: \"{SlapdServer.Host}\", port: {slapd.LdapPort}, rootPath: \"{Suffix}\", userPath: ou=People, "
            + $"groupPath: ou=Groups, username: \"cn=admin,{Suffix}\", passwordSecretRef: {{name: bind, key: password}}}}}}";

        public string OktaSource => $"{{okta: {{orgUrl: \"{okta.OrgUrl}\", tokenSecretRef: {{name: saas, key: credential}}, caSecretRef: {{name: saas, key: ca.crt}}}}}}";

        public string OneLoginSource => $"{{oneLogin: {{apiUrl: \"{oneLogin.BaseUrl}\", clientId: \"{oneLogin.ClientId}\", clientSecretRef: {{name: saas, key: credential}}, "
            + "caSecretRef: {name: saas, key: ca.crt}}}";

        public string EntraSource => $"{{entraId: {{tenant: \"{entra.TenantId}\", applicationId: \"{entra.ApplicationId}\", clientSecretRef: {{name: saas, key: credential}}, "
            + $"authorityHost: \"{entra.BaseUrl}\", graphUrl: \"{entra.BaseUrl}\", caSecretRef: {{name: saas, key: ca.crt}}}}}}";

        public string GoogleSource => $"{{googleWorkspace: {{adminUser: admin@corp.test, serviceAccountKeySecretRef: {{name: saas, key: credential}}, "
            + $"tokenUrl: \"{google.TokenUrl}\", apiUrl: \"{google.BaseUrl}\", caSecretRef: {{name: saas, key: ca.crt}}}}}}";

        /// <summary>The lines of both service-account keys' PEM bodies.</summary>
        public IReadOnlyList<string> PrivateKeyLines => [.. new[] { google.ServiceAccount.PrivateKeyPem, wrongGoogleKey.Pem }
            .SelectMany(pem => pem.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Where(line => !line.StartsWith("-----", StringComparison.Ordinal) && line.Length >= 16)];

        public SourceSpecJson LdapSpec(string bindSecret) => new("ldap", new JsonObject
        {
            ["hostname"] = SlapdServer.Host, ["port"] = slapd.LdapPort, ["rootPath"] = Suffix, ["userPath"] = "ou=People", ["groupPath"] = "ou=Groups",
            ["username"] = $"cn=admin,{Suffix}", ["passwordSecretRef"] = new JsonObject { ["name"] = bindSecret, ["key"] = "password" },
        });

        public static string BindSecret(string password) => Secret("bind", ("password", password));

        public string OktaSecrets(string token) => Secret("saas", ("credential", token), ("ca.crt", okta.CaPem));

        public string OneLoginSecrets(string secret) => Secret("saas", ("credential", secret), ("ca.crt", oneLogin.CaPem));

        public string EntraSecrets(string secret) => Secret("saas", ("credential", secret), ("ca.crt", entra.CaPem));

        /// <summary>The JSON key file of the stand-in's service account (or another key of it), its private_key_id a sentinel.</summary>
        public string GoogleSecrets(bool wrongKey)
        {
            var key = JsonNode.Parse(wrongKey ? wrongGoogleKey.Json : google.ServiceAccount.ToJsonKey())!;
            key["private_key_id"] = wrongKey ? "SENTINEL-google-wrong-kid-c3" : GoogleKeyId;
            return Secret("saas", ("credential", key.ToJsonString()), ("ca.crt", google.CaPem));
        }

        /// <summary>A Secret document with base64 data, as kubectl create secret writes it.</summary>
        private static string Secret(string name, params (string Key, string Value)[] data)
            => $"---\napiVersion: v1\nkind: Secret\nmetadata: {{name: {name}, namespace: bitwarden}}\ndata:\n"
               + string.Concat(data.Select(d => $"  {d.Key}: {Base64(d.Value)}\n"));

        public async Task InitializeAsync()
        {
            var suffix = new SlapdSuffix(Suffix, BindPassword);
            slapd = await SlapdServer.StartAsync([suffix]);
            await slapd.AddLdifAsync(suffix, $"""
                dn: ou=People,{Suffix}
                objectClass: organizationalUnit
                ou: People

                dn: ou=Groups,{Suffix}
                objectClass: organizationalUnit
                ou: Groups

                dn: cn=Ann Lee,ou=People,{Suffix}
                objectClass: inetOrgPerson
                cn: Ann Lee
                sn: Lee
                mail: ann@corp.test

                dn: cn=Ben Ray,ou=People,{Suffix}
                objectClass: inetOrgPerson
                cn: Ben Ray
                sn: Ray
                mail: ben@corp.test

                dn: cn=Staff,ou=Groups,{Suffix}
                objectClass: groupOfNames
                cn: Staff
                member: cn=Ann Lee,ou=People,{Suffix}
                member: cn=Ben Ray,ou=People,{Suffix}

                """);
            okta = await OktaStandIn.StartAsync(new OktaStandInOptions { ApiToken = OktaToken });
            okta.Directory.AddUser("ann@corp.test");
            okta.Directory.AddUser("ben@corp.test");
            oneLogin = await OneLoginStandIn.StartAsync(new OneLoginStandInOptions { ClientSecret = OneLoginSecret });
            oneLogin.Account.Put(new OneLoginStandInUser(1, "ann", "ann@corp.test"), new OneLoginStandInUser(2, "ben", "ben@corp.test"));
            entra = await EntraIdStandIn.StartAsync();
            entra.ClientSecret = EntraSecret;
            entra.Tenant.AddUser(new EntraUser(Guid.NewGuid().ToString(), "ann@corp.test", "ann@corp.test"));
            entra.Tenant.AddUser(new EntraUser(Guid.NewGuid().ToString(), "ben@corp.test", "ben@corp.test"));
            google = await GoogleWorkspaceStandIn.StartAsync();
            google.Domains.Add("corp.test");
            google.AddUser("admin@corp.test", isAdmin: true);
            google.AddUser("ann@corp.test");
            google.AddUser("ben@corp.test");
            using var other = new GoogleServiceAccount();
            wrongGoogleKey = (other.ToJsonKey(), other.PrivateKeyPem);
        }

        public async Task DisposeAsync()
        {
            await google.DisposeAsync();
            await entra.DisposeAsync();
            await oneLogin.DisposeAsync();
            await okta.DisposeAsync();
            await slapd.DisposeAsync();
        }
    }
}
