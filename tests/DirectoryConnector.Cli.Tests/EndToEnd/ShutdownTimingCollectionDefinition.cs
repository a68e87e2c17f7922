using Xunit;

namespace DirectoryConnector.Cli.Tests.EndToEnd;

/// <summary>
/// The SIGTERM tests assert the 2 s exit bound of issue #15: they run after, not beside, the other test classes, so
/// the bound measures the operator rather than a machine busy with slapd and Samba fixtures.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ShutdownTimingCollectionDefinition
{
    public const string Name = "operator shutdown timing";
}
