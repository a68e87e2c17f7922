using System.CommandLine;
using System.Text.Json;
using System.Text.RegularExpressions;
using DirectoryConnector.Cli.Manifests;
using DirectoryConnector.Cli.Migration;
using DirectoryConnector.Engine.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DirectoryConnector.Cli.Commands;

/// <summary><c>convert-bwdc</c>: the original Bitwarden Directory Connector's data.json as a DirectorySync and the
/// Secrets it references (placeholders where the original kept secrets in the OS keychain). What cannot be carried
/// over goes to stderr with the reason.</summary>
internal static partial class ConvertBwdcCommand
{
    // kubectl's -o formats and test's.
    private static readonly HashSet<string> OutputFormatNames = new(["yaml", "yml", "json", "table", "wide", "name"], StringComparer.OrdinalIgnoreCase);

    public static Command Create(CliContext context)
    {
        var dataJson = new Argument<string>("data.json")
        {
            Description = "The original connector's data.json (`bwdc data-file` prints where it is).",
        };
        var name = new Option<string?>("--name")
        {
            Description = "Name of the DirectorySync (its Secrets are named after it). Default: the kind of directory, e.g. active-directory or okta.",
        };
        var namespaceName = new Option<string?>("--namespace", "-n")
        {
            Description = "Namespace of the DirectorySync and its Secrets. Default: none written (kubectl's current namespace).",
        };
        // A file, as kustomize's and kompose's -o; kubectl's (and `test`'s) -o is a format, hence the help name and
        // the check below for a format name given here.
        var output = new Option<string?>("--output", "-o")
        {
            HelpName = "file",
            Description = "The file to write the manifests to (always YAML) instead of standard output. Not a format, unlike test's -o.",
        };

        var command = new Command("convert-bwdc", "Converts the original Bitwarden Directory Connector's data.json into a DirectorySync and its Secret manifests.")
        {
            dataJson,
            name,
            namespaceName,
            output,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            var path = parseResult.GetValue(dataJson)!;
            foreach (var (option, value) in new[] { ("--name", parseResult.GetValue(name)), ("--namespace", parseResult.GetValue(namespaceName)) })
            {
                if (value is not null && !DnsLabel().IsMatch(value))
                {
                    await error.WriteLineAsync($"error: {option} \"{value}\" is not a Kubernetes name: lower-case letters, digits and '-', at most 63, starting and ending with a letter or digit").ConfigureAwait(false);
                    return ExitCodes.BadInput;
                }
            }

            if (Directory.Exists(path))
            {
                await error.WriteLineAsync($"error: {path}: is a directory; give the data.json file in it (`bwdc data-file` prints where it is)").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }

            // Checked before converting, so a typo in -o is reported before anything else and never half-done.
            if (parseResult.GetValue(output) is { } outputFile && OutputProblem(outputFile, path) is { } outputProblem)
            {
                await error.WriteLineAsync($"error: --output {outputFile}: {outputProblem}").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }

            string text;
            try
            {
                text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"error: {path}: cannot read the file: {e.Message}").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }

            BwdcConversion conversion;
            try
            {
                conversion = BwdcConverter.Convert(text, parseResult.GetValue(name), parseResult.GetValue(namespaceName));
            }
            catch (BwdcDataException e)
            {
                await error.WriteLineAsync($"error: {path}: {e.Message}").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }

            // The spec as the manifest reader will read it: strict, so a field this conversion misnamed fails here.
            var spec = conversion.Spec.Deserialize(ManifestJsonContext.Default.DirectorySyncSpec)!;
            using var services = context.BuildServices(parseResult);
            var problems = services.GetRequiredService<SpecValidator>().Validate(spec);

            var manifests = MigrationManifestWriter.Write(conversion, parseResult.GetValue(namespaceName), path);
            if (parseResult.GetValue(output) is { } file)
            {
                try
                {
                    await File.WriteAllTextAsync(file, manifests, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    await error.WriteLineAsync($"error: --output {file}: cannot write the file: {e.Message}").ConfigureAwait(false);
                    return ExitCodes.BadInput;
                }
            }
            else
            {
                await parseResult.InvocationConfiguration.Output.WriteAsync(manifests.AsMemory(), cancellationToken).ConfigureAwait(false);
            }

            foreach (var note in conversion.Notes)
            {
                await error.WriteLineAsync(note.ToString()).ConfigureAwait(false);
            }

            foreach (var problem in problems)
            {
                await error.WriteLineAsync($"error: the converted DirectorySync {conversion.Name}: {problem} (fix it in the manifests, or in {Path.GetFileName(path)} and convert again)").ConfigureAwait(false);
            }

            return problems.Count > 0 ? ExitCodes.BadInput : ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Why the manifests cannot go to <paramref name="file"/>, or null. Writing over the data.json being
    /// converted would destroy the only copy of the original's settings.</summary>
    private static string? OutputProblem(string file, string dataJson)
    {
        // kubectl's habit (-o yaml) would write a file named yaml; ./yaml still names one.
        if (OutputFormatNames.Contains(file))
        {
            return "is an output format, but convert-bwdc's -o names the file to write (the manifests are always YAML): "
                + $"leave -o out to print them, or give a file name such as directorysync.yaml (./{file} for a file named {file})";
        }

        if (Directory.Exists(file))
        {
            return $"is a directory; give a file in it, e.g. {Path.Combine(file, "directorysync.yaml")}";
        }

        if (string.Equals(Path.GetFullPath(file), Path.GetFullPath(dataJson), StringComparison.Ordinal))
        {
            return "is the data.json being converted; writing there would overwrite the original's settings: give another file, e.g. directorysync.yaml";
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(file));
        return folder is not null && !Directory.Exists(folder) ? $"the folder {folder} does not exist; create it first" : null;
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex DnsLabel();
}
