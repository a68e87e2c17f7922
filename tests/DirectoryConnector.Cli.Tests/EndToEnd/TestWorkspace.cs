using System.Globalization;
using System.Text;
using DirectoryConnector.TestSupport.Bitwarden;

namespace DirectoryConnector.Cli.Tests.EndToEnd;

/// <summary>A temporary folder with a DirectorySync manifest (file source), its API-key Secret and an LDIF
/// directory that tests rewrite between runs.</summary>
internal sealed class TestWorkspace : IDisposable
{
    private readonly Dictionary<string, (string Email, bool Disabled)> users = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> groups = new(StringComparer.Ordinal);

    public TestWorkspace(BitwardenStandIn standIn, string syncOptions = "{users: true, groups: true}")
    {
        Folder = Directory.CreateTempSubdirectory("dc-cli-").FullName;
        File.WriteAllText(ManifestPath, standIn.DirectorySyncManifest("e2e", "bitwarden", "file: {path: directory.ldif}", syncOptions));
    }

    public string Folder { get; }

    public string ManifestPath => Path.Combine(Folder, "directorysync.yaml");

    public string StatePath => Path.Combine(Folder, "state.json");

    public static string UserDn(string name) => $"cn={name},ou=People,dc=example,dc=com";

    public static string GroupDn(string name) => $"cn={name},ou=Groups,dc=example,dc=com";

    public TestWorkspace User(string name, bool disabled = false)
    {
        users[name] = ($"{name.ToLowerInvariant()}@example.com", disabled);
        return this;
    }

    public TestWorkspace RemoveUser(string name)
    {
        users.Remove(name);
        return this;
    }

    /// <summary>Members are user names, or group names prefixed with "group:".</summary>
    public TestWorkspace Group(string name, params string[] members)
    {
        groups[name] = [.. members];
        return this;
    }

    /// <summary>Adds spec.bitwarden.caSecretRef and its Secret holding <paramref name="caPem"/>.</summary>
    public TestWorkspace TrustCa(string caPem)
    {
        var manifest = File.ReadAllText(ManifestPath).Replace("    apiKeySecretRef:", "    caSecretRef: {name: corp-ca, key: ca.crt}\n    apiKeySecretRef:", StringComparison.Ordinal);
        var indented = string.Join("\n", caPem.Trim().Split('\n').Select(line => "    " + line.TrimEnd('\r')));
        File.WriteAllText(ManifestPath, $"{manifest}\n---\napiVersion: v1\nkind: Secret\nmetadata: {{name: corp-ca, namespace: bitwarden}}\nstringData:\n  ca.crt: |\n{indented}\n");
        return this;
    }

    public void WriteDirectory()
    {
        var ldif = new StringBuilder("version: 1\n\n");
        foreach (var (name, (email, disabled)) in users)
        {
            ldif.Append(CultureInfo.InvariantCulture, $"dn: {UserDn(name)}\nobjectClass: inetOrgPerson\ncn: {name}\nsn: {name}\nmail: {email}\n");
            if (disabled)
            {
                ldif.Append("userAccountControl: 514\n");
            }

            ldif.Append('\n');
        }

        foreach (var (name, members) in groups)
        {
            ldif.Append(CultureInfo.InvariantCulture, $"dn: {GroupDn(name)}\nobjectClass: groupOfNames\ncn: {name}\n");
            foreach (var member in members)
            {
                var dn = member.StartsWith("group:", StringComparison.Ordinal) ? GroupDn(member["group:".Length..]) : UserDn(member);
                ldif.Append(CultureInfo.InvariantCulture, $"member: {dn}\n");
            }

            ldif.Append('\n');
        }

        File.WriteAllText(Path.Combine(Folder, "directory.ldif"), ldif.ToString());
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
