using Xunit;

namespace DirectoryConnector.Cli.Tests.EndToEnd;

/// <summary>
/// The per-source process tests start their own slapd (TLS, content sync) and stand-ins and run the executable three
/// times each: they run after, not beside, the other test classes, so a TLS handshake or bind never races a machine
/// saturated by dozens of parallel processes (a STARTTLS bind failed with LDAP result 1 once in CI that way).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SourceProcessCollectionDefinition
{
    public const string Name = "source process tests";
}
