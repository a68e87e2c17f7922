using DirectoryConnector.TestSupport.Ldap;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Sources.LdapIncremental;

[CollectionDefinition(Name)]
public sealed class ContentSyncSlapdCollectionDefinition : ICollectionFixture<ContentSyncSlapdFixture>
{
    public const string Name = "slapd-content-sync";
}

/// <summary>The Samba DC that USN and prune tests change (one DC for both: provisioning is slow).</summary>
[CollectionDefinition(Name)]
public sealed class WritableSambaCollectionDefinition : ICollectionFixture<WritableSambaFixture>
{
    public const string Name = "samba-writable";
}
