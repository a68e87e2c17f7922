using DirectoryConnector.TestSupport.Ldap;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Sources.LdapIncremental;

/// <summary>The LDAP source against the source contract on a slapd with syncprov: its cursor (an RFC 4533 cookie)
/// goes through the contract's cursor round-trip, an added and a removed user included.</summary>
[Collection(ContentSyncSlapdCollectionDefinition.Name)]
public sealed class ContentSyncContractTests(ContentSyncSlapdFixture fixture) : LdapSourceContractBase(() => fixture.Server, fixture.Suffix);
