using DirectoryConnector.TestSupport.Ldap;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Sources;

[CollectionDefinition(Name)]
public sealed class SlapdCollectionDefinition : ICollectionFixture<SlapdFixture>
{
    public const string Name = "slapd";
}

[CollectionDefinition(Name)]
public sealed class SambaCollectionDefinition : ICollectionFixture<SambaFixture>
{
    public const string Name = "samba";
}
