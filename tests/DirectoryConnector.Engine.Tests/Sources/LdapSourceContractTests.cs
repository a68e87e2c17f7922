using DirectoryConnector.TestSupport.Ldap;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Sources;

/// <summary>The LDAP source against the source contract on a slapd without change tracking (no cursor).</summary>
[Collection(SlapdCollectionDefinition.Name)]
public sealed class LdapSourceContractTests(SlapdFixture fixture) : LdapSourceContractBase(() => fixture.Server, fixture.Contract);
