using System.Runtime.Versioning;
using DirectoryConnector.TestSupport.Tools;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Cli.Tests.EndToEnd;

/// <summary>
/// A file source's path that cannot be read is the administrator's to fix, whatever the reason: missing, a folder, or
/// not readable by the user running the CLI are all bad input (exit 2) naming the field, the path and what to do, never
/// a SourceUnavailable (exit 1) that a cron job would simply retry.
/// </summary>
public sealed class FileSourcePathTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dc-file-path-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Manifest(string path)
    {
        var manifest = Path.Combine(_folder, "corp.yaml");
        File.WriteAllText(manifest, $$$"""
            apiVersion: directoryconnector.dev/v1alpha1
            kind: DirectorySync
            metadata: {name: corp}
            spec:
              bitwarden: {apiKeySecretRef: {name: bw}}
              source: {file: {path: "{{{path}}}", format: json}}
            """);
        return manifest;
    }

    [Theory]
    [InlineData("missing.json", "does not exist: check the path (a relative path is relative to the manifest's folder)")]
    [InlineData("exports", "is a directory: name the LDIF or JSON export file in it")]
    public async Task AMissingPathOrAFolderIsBadInputNamingTheFieldAndThePath(string path, string problem)
    {
        Directory.CreateDirectory(Path.Combine(_folder, "exports"));

        var result = await CliRunner.RunAsync("test", "-f", Manifest(path));

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Contain($"error: InvalidSpec: spec.source.file.path '{Path.Combine(_folder, path)}' {problem}");
    }

    [Fact]
    [SupportedOSPlatform("linux")] // file modes, and setpriv for root
    public async Task AFileThisUserCannotReadIsBadInputLikeAMissingOneNamingTheFix()
    {
        var export = Path.Combine(_folder, "directory.json");
        File.WriteAllText(export, """{"users": [{"id": "u1", "email": "ann@example.com"}]}""");
        File.SetUnixFileMode(export, UnixFileMode.None);
        var manifest = Manifest("directory.json");

        // Root reads any file: as root the executable runs without the capabilities that override file permissions.
        var executable = CliProcess.BuiltExecutable;
        var result = Environment.IsPrivilegedProcess
            ? await ExternalTool.RunAsync(ExternalTool.Require("setpriv"), ["--bounding-set", "-dac_override,-dac_read_search", executable, "test", "-f", manifest], _folder)
            : await ExternalTool.RunAsync(executable, ["test", "-f", manifest], _folder);

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Contain($"error: InvalidSpec: spec.source.file.path '{export}' cannot be read by this user (permission denied): "
            + "let the user running directory-connector read it");
        result.Output.Should().NotContain("ann@example.com");
    }
}
