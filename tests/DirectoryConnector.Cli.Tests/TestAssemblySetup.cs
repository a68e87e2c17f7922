using System.Runtime.CompilerServices;
using DirectoryConnector.Operator.Runtime;

namespace DirectoryConnector.Cli.Tests;

/// <summary>In-process CLI runs have the operator's JSON contracts registered, as the executable does at its entry.</summary>
internal static class TestAssemblySetup
{
#pragma warning disable CA2255 // a test assembly's one-time setup, before any test touches KubernetesJson
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void RegisterOperatorJson() => OperatorJson.Register();
}
