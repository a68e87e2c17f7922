namespace DirectoryConnector.Engine.Sources.Ldap;

/// <summary>What one read of an LDAP directory (server or LDIF file) reports besides users and groups.</summary>
internal sealed class LdapReadReport
{
    public List<SkippedEntry> Skipped { get; } = [];

    public List<string> Warnings { get; } = [];
}
