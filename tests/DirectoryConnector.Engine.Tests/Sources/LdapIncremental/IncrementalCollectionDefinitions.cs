using DirectoryConnector.TestSupport.Ldap;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Sources.LdapIncremental;

[CollectionDefinition(Name)]
public sealed class ContentSyncSlapdCollectionDefinition : ICollectionFixture<ContentSyncSlapdFixture>
{
    public const string Name = "slapd-content-sync";
}

[CollectionDefinition(Name)]
public sealed class IncrementalSambaCollectionDefinition : ICollectionFixture<IncrementalSambaFixture>
{
    public const string Name = "samba-incremental";
}
