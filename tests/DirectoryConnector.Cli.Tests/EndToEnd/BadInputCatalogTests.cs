using System.Text;
using DirectoryConnector.TestSupport;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Cli.Tests.EndToEnd;

/// <summary>
/// Issue 15's bad-input catalog, run through `directory-connector test -f` as a user would: each case is exit 2 with
/// a line naming the field (or Secret) and what to do, and nothing is sent anywhere (the source is never reached:
/// its host does not exist). README's troubleshooting table is generated from this catalog; a test keeps the two equal.
/// </summary>
public sealed class BadInputCatalogTests : IDisposable
{
    private const string Ldap = """ldap: {hostname: dc1.corp.invalid, rootPath: "dc=corp,dc=example", username: "cn=svc,dc=corp,dc=example", passwordSecretRef: {name: bind, key: password}}""";
    private const string BindSecret = "---\napiVersion: v1\nkind: Secret\nmetadata: {name: bind, namespace: bitwarden}\nstringData: {password: \"bind-password-SENTINEL\"}\n";

    private readonly string _folder = Directory.CreateTempSubdirectory("dc-bad-input-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>One case: the spec lines replaced (key: the line's first word), the documents after the DirectorySync,
    /// the stderr fragment expected, and the fix README gives.</summary>
    public sealed record Case(string Input, IReadOnlyDictionary<string, string> Lines, string Message, string Fix, string Documents = BindSecret);

    public static IReadOnlyList<Case> Catalog { get; } =
    [
        new("no source", L("source", "source: {}"), "spec.source: no source is set: set exactly one of", "set one of `spec.source.ldap`, `file`, `okta`, …"),
        new("two sources", L("source", $"source: {{{Ldap}, file: {{path: users.ldif}}}}"), "spec.source: several sources are set (ldap, file): set exactly one", "keep one source per DirectorySync"),
        new("interval not a duration", L("interval", "interval: fortnightly"), "spec.interval: \"fortnightly\" is not a duration", "write `15m`, `1h30m`, `90s`"),
        new("interval under 1m", L("interval", "interval: 30s"), "spec.interval: 30s is shorter than the minimum of 1m", "use at least `1m`"),
        new("fullSyncInterval not a duration", L("sync", "sync: {fullSyncInterval: soon}"), "spec.sync.fullSyncInterval: \"soon\" is not a duration", "write a duration such as `24h`"),
        new("unknown field", L("interval", "intervall: 15m"), "spec.intervall: unknown field", "fix the spelling (`kubectl explain dsync.spec`)"),
        new("unknown source field", L("source", "source: {ldap: {hostnme: dc1.corp.invalid}}"), "spec.source.ldap.hostnme: unknown field", "fix the spelling"),
        new("wrong type", L("sync", "sync: {users: \"yes\"}"), "spec.sync.users: expected true or false", "write `true` or `false` unquoted"),
        new("unknown enum value", L("source", "source: {ldap: {encryption: tls}}"), "spec.source.ldap.encryption: expected one of none, startTls, ldaps", "use one of the listed values"),
        new("server URL without scheme", L("bitwarden", "bitwarden: {serverUrl: vault.example.com, apiKeySecretRef: {name: bw}}"), "spec.bitwarden.serverUrl: \"vault.example.com\" is not an absolute http(s) URL", "write `https://vault.example.com`"),
        new("server URL with a query", L("bitwarden", "bitwarden: {serverUrl: \"https://vault.example.com/?x=1\", apiKeySecretRef: {name: bw}}"), "spec.bitwarden.serverUrl: \"https://vault.example.com/?x=1\" must not have a query or fragment", "give the base URL only"),
        new("http:// to a remote Bitwarden", L("bitwarden", "bitwarden: {serverUrl: \"http://vault.example.com\", apiKeySecretRef: {name: bw}}"), "spec.bitwarden.serverUrl: \"http://vault.example.com\" uses http://: credentials would cross the network in clear text", "use `https://` (or, behind a trusted TLS proxy, `spec.allowInsecureHttp: true`)"),
        new("http:// to a remote source", L("source", "source: {okta: {orgUrl: \"http://corp.okta.invalid\", tokenSecretRef: {name: okta, key: token}}}"), "spec.source.okta.orgUrl: \"http://corp.okta.invalid\" uses http://", "use `https://`"),
        new("API key Secret without a name", L("bitwarden", "bitwarden: {apiKeySecretRef: {clientIdKey: client_id}}"), "spec.bitwarden.apiKeySecretRef.name: is required", "name the Secret holding `client_id` and `client_secret`"),
        new("port out of range", L("source", "source: {ldap: {hostname: dc1.corp.invalid, port: 70000, rootPath: \"dc=corp\", username: \"cn=svc\", passwordSecretRef: {name: bind, key: password}}}"), "spec.source.ldap.port: 70000 is not a port: use 1 to 65535", "use the server's port (389, 636)"),
        new("host given as a URL", L("source", "source: {ldap: {hostname: \"ldaps://dc1.corp.invalid\", rootPath: \"dc=corp\", username: \"cn=svc\", passwordSecretRef: {name: bind, key: password}}}"), "spec.source.ldap.hostname: \"ldaps://dc1.corp.invalid\" is a URL", "give the host name; set `port` and `encryption`"),
        new("insecureSkipVerify without TLS", L("source", "source: {ldap: {hostname: dc1.corp.invalid, insecureSkipVerify: true, rootPath: \"dc=corp\", username: \"cn=svc\", passwordSecretRef: {name: bind, key: password}}}"), "spec.source.ldap.insecureSkipVerify: is true but encryption is none", "set `encryption: ldaps` or `startTls`, or remove it"),
        new("malformed LDAP filter", L("filters", "filters: {users: \"(&(objectClass=person)\"}"), "spec.filters.users: ", "fix the RFC 4515 filter (balanced parentheses)"),
        new("filters on a file source", L("source", "source: {file: {configMapRef: {name: dir, key: users.ldif}}}", "filters", "filters: {users: \"(objectClass=person)\"}"), "spec.filters.users: the file source has no filters", "export only the entries to sync"),
        new("file path and configMapRef", L("source", "source: {file: {path: users.ldif, configMapRef: {name: dir, key: users.ldif}}}"), "spec.source.file: path and configMapRef are both set", "set one (`configMapRef` in a cluster)"),
        new("maxDeletions not a count or percentage", L("sync", "sync: {maxDeletions: lots}"), "spec.sync.maxDeletions: \"lots\" is neither a count such as 25 nor a percentage", "write `25` or `10%`"),
        new("nothing to sync", L("sync", "sync: {users: false, groups: false}"), "spec.sync: users and groups are both false", "enable users, groups or both"),
        new("overwriteExisting without users", L("sync", "sync: {users: false, overwriteExisting: true}"), "spec.sync.overwriteExisting: is true while users is false", "turn users on, or overwriteExisting off"),
        new("Secret missing", L(), "error: SecretNotFound: Secret \"bind\" was not found in the files given with -f", "add the Secret's manifest with another `-f` (operator: create it in the DirectorySync's namespace)", Documents: ""),
        new("Secret key missing", L(), "error: SecretNotFound: Secret \"bind\" has no key \"password\" (it has: pass)", "use a key the Secret has, or add it", Documents: "---\napiVersion: v1\nkind: Secret\nmetadata: {name: bind}\nstringData: {pass: \"x\"}\n"),
        new("Secret data not base64", L(), "(Secret bind): data.password: is not base64; put plain text under stringData instead", "base64-encode `data`, or use `stringData`", Documents: "---\napiVersion: v1\nkind: Secret\nmetadata: {name: bind}\ndata: {password: \"bind-password-SENTINEL!\"}\n"),
        new("YAML syntax error", L("interval", "interval: [15m"), "not valid YAML", "fix the YAML at the line and column given"),
    ];

    private static Dictionary<string, string> L(params string[] pairs)
    {
        var lines = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < pairs.Length; i += 2)
        {
            lines[pairs[i]] = pairs[i + 1];
        }

        return lines;
    }

    private static string Manifest(Case @case)
    {
        var lines = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["interval"] = "interval: 15m",
            ["bitwarden"] = "bitwarden: {serverUrl: \"https://vault.example.com\", apiKeySecretRef: {name: bw}}",
            ["source"] = $"source: {{{Ldap}}}",
            ["filters"] = "filters: {}",
            ["sync"] = "sync: {}",
        };
        foreach (var (key, line) in @case.Lines)
        {
            lines[key] = line;
        }

        var text = new StringBuilder("apiVersion: directoryconnector.dev/v1alpha1\nkind: DirectorySync\nmetadata: {name: corp, namespace: bitwarden}\nspec:\n");
        foreach (var line in lines.Values)
        {
            text.Append("  ").Append(line).Append('\n');
        }

        return text.Append(@case.Documents).ToString();
    }

    public static TheoryData<string> CaseNames()
    {
        var names = new TheoryData<string>();
        foreach (var @case in Catalog)
        {
            names.Add(@case.Input);
        }

        return names;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task EachCaseIsBadInputNamingTheFieldAndNeverEchoingASecret(string input)
    {
        var @case = Catalog.Single(c => c.Input == input);
        var manifest = Path.Combine(_folder, "corp.yaml");
        await File.WriteAllTextAsync(manifest, Manifest(@case));

        var result = await CliRunner.RunAsync("test", "-f", manifest);

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Contain(@case.Message, result.ToString());
        (result.Error + result.Output).Should().NotContain("SENTINEL");
        result.Output.Should().BeEmpty("nothing was planned, let alone sent");
    }

    [Fact]
    public void TheCatalogHasNoDuplicatesAndAtLeastTwentyFiveCases()
    {
        Catalog.Select(c => c.Input).Should().OnlyHaveUniqueItems();
        Catalog.Should().HaveCountGreaterThanOrEqualTo(25);
    }

    /// <summary>README's table between the markers, generated from <see cref="Catalog"/>.</summary>
    public static string ReadmeTable()
    {
        var table = new StringBuilder("| input | what `test`/`sync` print (exit 2) and the operator's `InvalidSpec`/`SecretNotFound` message contain | what to do |\n|---|---|---|\n");
        foreach (var @case in Catalog)
        {
            table.Append("| ").Append(@case.Input).Append(" | `").Append(@case.Message.Replace("|", "\\|", StringComparison.Ordinal)).Append("` | ").Append(@case.Fix).Append(" |\n");
        }

        return table.ToString();
    }

    [Fact]
    public void ReadmeTroubleshootingTableMatchesTheCatalog()
    {
        const string Begin = "<!-- bad-input-table: generated by BadInputCatalogTests.ReadmeTable -->\n";
        const string End = "<!-- end of bad-input-table -->";
        var readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md")).ReplaceLineEndings("\n");
        var start = readme.IndexOf(Begin, StringComparison.Ordinal);
        var end = readme.IndexOf(End, StringComparison.Ordinal);
        (start >= 0 && end > start).Should().BeTrue($"README.md has the table between {Begin.Trim()} and {End}");

        var generated = Path.Combine(AppContext.BaseDirectory, "bad-input-table.md");
        File.WriteAllText(generated, ReadmeTable());
        readme[(start + Begin.Length)..end].Should().Be(ReadmeTable(), $"README's table is generated from the catalog: paste {generated} between the markers");
    }
}
