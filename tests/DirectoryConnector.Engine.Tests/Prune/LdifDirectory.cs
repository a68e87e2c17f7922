using System.Text;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.File;
using Microsoft.Extensions.Logging.Abstractions;

namespace DirectoryConnector.Engine.Tests.Prune;

/// <summary>A directory exported to an LDIF file that tests edit between syncs: users by DN (the external id, as the
/// original connector uses it), groups of names.</summary>
internal sealed class LdifDirectory : IDirectorySourceSpec, IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("prune-ldif-").FullName;
    private readonly SortedDictionary<string, (string Email, bool Disabled)> users = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, (string Name, List<string> Members)> groups = new(StringComparer.Ordinal);

    public LdifDirectory(string suffix = "dc=example,dc=com") => Suffix = suffix;

    public string Suffix { get; }

    public string PathName => Path.Combine(folder, "directory.ldif");

    public SourceSpec Source => new() { File = new FileSourceSpec { Path = PathName } };

    public string UserDn(string cn, string ou = "People") => $"cn={cn},ou={ou},{Suffix}";

    public string GroupDn(string cn) => $"cn={cn},ou=Groups,{Suffix}";

    public LdifDirectory User(string cn, string? email = null, string ou = "People", bool disabled = false)
    {
        users[UserDn(cn, ou)] = (email ?? $"{cn.ToLowerInvariant()}@example.com", disabled);
        return this;
    }

    public LdifDirectory RemoveUser(string dn)
    {
        users.Remove(dn);
        foreach (var group in groups.Values)
        {
            group.Members.Remove(dn);
        }

        return this;
    }

    public LdifDirectory Group(string cn, params string[] memberDns)
    {
        groups[GroupDn(cn)] = (cn, [.. memberDns]);
        return this;
    }

    public LdifDirectory RemoveGroup(string cn)
    {
        groups.Remove(GroupDn(cn));
        return this;
    }

    /// <summary>Writes the file and returns the source reading it.</summary>
    public IDirectorySource Write()
    {
        var text = new StringBuilder("version: 1\n\n");
        foreach (var (dn, (email, disabled)) in users)
        {
            text.Append("dn: ").Append(dn).Append("\nobjectClass: inetOrgPerson\n");
            text.Append("cn: ").Append(dn[3..dn.IndexOf(',', StringComparison.Ordinal)]).Append("\nsn: x\nmail: ").Append(email).Append('\n');
            if (disabled)
            {
                text.Append("userAccountControl: 514\n");
            }

            text.Append('\n');
        }

        foreach (var (dn, (name, members)) in groups)
        {
            text.Append("dn: ").Append(dn).Append("\nobjectClass: groupOfNames\ncn: ").Append(name).Append('\n');
            foreach (var member in members)
            {
                text.Append("member: ").Append(member).Append('\n');
            }

            text.Append('\n');
        }

        File.WriteAllText(PathName, text.ToString());
        return FileSource.Create(new FileSourceSpec { Path = PathName }, new NoReferences(), NullLogger<FileSource>.Instance);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private sealed class NoReferences : IReferenceResolver
    {
        public bool AllowsLocalFiles => true;

        public Task<string> GetSecretValueAsync(string secretName, string key, string keyField, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<string> GetConfigMapValueAsync(string configMapName, string key, string keyField, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
