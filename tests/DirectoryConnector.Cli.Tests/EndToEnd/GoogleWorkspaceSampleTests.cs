using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Cli.Tests.EndToEnd;

/// <summary>config/samples/google-workspace.yaml with its Secrets, as an administrator first runs them: the pair loads and
/// passes validation, and the one thing left to fill in is the service account's key (the Secret has the JSON key's
/// shape; only its placeholder private_key stops the run, before any network call).</summary>
public sealed class GoogleWorkspaceSampleTests
{
    private static string Sample(string name) => Path.Combine(CliRunner.RepositoryRoot(), "config", "samples", name);

    [Fact]
    public async Task TheSampleWithItsSecretsStopsOnlyAtThePlaceholderKeyNamingTheSecretKey()
    {
        var result = await CliRunner.RunAsync("test", "-f", Sample("google-workspace.yaml"), "-f", Sample("google-workspace-secrets.yaml"));

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Contain("spec.source.googleWorkspace.serviceAccountKeySecretRef: the private_key in the key key.json of Secret google-sa is not a PEM RSA private key",
            "the sample Secret is a service-account JSON key with client_email and private_key; only the placeholder key is left to replace");
        result.Error.Should().NotContain("REPLACE WITH THE KEY", "key material is never quoted");
        result.Output.Should().BeEmpty();
    }
}
