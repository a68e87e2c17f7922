using Xunit;

namespace DirectoryConnector.Engine.Tests.Sources;

/// <summary>Tests that send signals to the whole test process run after all others, alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SignalCollectionDefinition
{
    public const string Name = "Process signals";
}
