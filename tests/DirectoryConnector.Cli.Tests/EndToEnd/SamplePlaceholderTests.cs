using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Cli.Tests.EndToEnd;

/// <summary>A sample run as shipped, its placeholders not yet replaced: the error names the Secret and key to fill and
/// the spec field that references them, before any connection is tried.</summary>
public sealed class SamplePlaceholderTests
{
    [Fact]
    public async Task TheActiveDirectorySamplesPlaceholderCaNamesItsSecretKeyAndField()
    {
        var samples = Path.Combine(CliRunner.RepositoryRoot(), "config", "samples");

        var result = await CliRunner.RunAsync("test", "-f", Path.Combine(samples, "corp-ad.yaml"), "-f", Path.Combine(samples, "corp-ad-secrets.yaml"));

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Be("error: InvalidSpec: spec.source.ldap.caSecretRef (key ca.crt of Secret corp-ca): the CA bundle holds no PEM certificate: "
            + "its -----BEGIN CERTIFICATE----- block is not base64 of a certificate (a placeholder, or a damaged copy); put the CA's PEM certificate there.\n");
    }
}
