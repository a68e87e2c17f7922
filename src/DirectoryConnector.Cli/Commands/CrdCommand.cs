using System.CommandLine;
using DirectoryConnector.Operator.Crd;

namespace DirectoryConnector.Cli.Commands;

/// <summary><c>crd</c>: prints the DirectorySync CustomResourceDefinition generated from the C# types.</summary>
internal static class CrdCommand
{
    public static Command Create()
    {
        var helm = new Option<bool>("--helm") { Description = $"Prints the Helm chart's template instead (committed as {CrdGenerator.ChartTemplatePath})." };
        var command = new Command("crd", $"Prints the DirectorySync CRD generated from the code (committed as {CrdGenerator.CommittedPath}).") { helm };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var text = parseResult.GetValue(helm) ? CrdGenerator.GenerateHelmTemplate() : CrdGenerator.GenerateYaml();
            await parseResult.InvocationConfiguration.Output.WriteAsync(text.AsMemory(), cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }
}
