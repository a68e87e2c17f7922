using System.CommandLine;
using DirectoryConnector.Operator.Crd;

namespace DirectoryConnector.Cli.Commands;

/// <summary><c>crd</c>: prints the DirectorySync CustomResourceDefinition generated from the C# types.</summary>
internal static class CrdCommand
{
    public static Command Create()
    {
        var command = new Command("crd", $"Prints the DirectorySync CRD generated from the code (committed as {CrdGenerator.CommittedPath}).");
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            await parseResult.InvocationConfiguration.Output.WriteAsync(CrdGenerator.GenerateYaml().AsMemory(), cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }
}
