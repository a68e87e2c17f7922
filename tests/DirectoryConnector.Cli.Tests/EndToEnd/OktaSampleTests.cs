using System.Text;
using DirectoryConnector.TestSupport.Okta;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Cli.Tests.EndToEnd;

/// <summary>config/samples/okta.yaml with okta-secrets.yaml, as an administrator runs them: pointed at the loopback Okta
/// stand-in (the org URL, and the sample's commented caSecretRef turned on for the stand-in's CA), the pair loads, its
/// Secret resolves, and the placeholder token is the one thing Okta refuses; with a real token, the sample's filters
/// select what its comments say.</summary>
public sealed class OktaSampleTests : IAsyncLifetime
{
    private readonly string folder = Directory.CreateTempSubdirectory("dc-cli-okta-sample-").FullName;
    private OktaStandIn okta = null!;

    public async Task InitializeAsync()
    {
        okta = await OktaStandIn.StartAsync(new OktaStandInOptions { MaxPageSize = 2 });
        var directory = okta.Directory;
        var department = (string name) => new Dictionary<string, string?> { ["department"] = name };
        var alice = directory.AddUser("alice@example.com", profile: department("Engineering"));
        var ben = directory.AddUser("ben@example.com", profile: department("Engineering"));
        var breakglass = directory.AddUser("breakglass@example.com", profile: department("Engineering"));
        var sam = directory.AddUser("sam@example.com", profile: department("Sales"));
        var outsider = directory.AddUser("outsider@example.com", profile: department("Engineering"));
        directory.AddGroup("Engineering", "OKTA_GROUP", alice, breakglass);
        directory.AddGroup("Sales", "OKTA_GROUP", ben, sam);
        directory.AddGroup("Contractors", "OKTA_GROUP", outsider);
    }

    public async Task DisposeAsync()
    {
        await okta.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task The_sample_with_its_secrets_stops_only_at_the_placeholder_token()
    {
        var result = await RunSampleAsync(token: null);

        result.ExitCode.Should().Be(1, result.ToString());
        result.Error.Should().Contain("spec.source.okta.tokenSecretRef").And.Contain("Invalid token provided");
        result.Error.Should().NotContain("REPLACE-WITH-OKTA-API-TOKEN", "a token is never quoted");
        okta.Requests.Should().NotBeEmpty().And.OnlyContain(r => r.Headers["Authorization"] == "SSWS REPLACE-WITH-OKTA-API-TOKEN", "the Secret's token is what was sent");
    }

    [Fact]
    public async Task The_samples_filters_select_what_its_comments_say()
    {
        var result = await RunSampleAsync(okta.ApiToken);

        result.ExitCode.Should().Be(0, result.ToString());
        // Users: Engineering's department minus the break-glass account (search=, a profile attribute); groups:
        // Engineering and Sales only, and, as the original connector does, users only when in a kept group (so not
        // outsider, whose only group is Contractors; ben is an engineer in Sales).
        result.Output.Should().Contain("alice@example.com").And.Contain("ben@example.com").And.NotContain("breakglass@example.com")
            .And.NotContain("outsider@example.com").And.NotContain("sam@example.com").And.NotContain("Contractors")
            .And.Contain("2 members (2 enabled, 0 disabled, 0 deleted), 2 groups");
        okta.Requests.Should().Contain(r => r.Path.StartsWith("/api/v1/users?", StringComparison.Ordinal) && r.Path.Contains("search=profile.department", StringComparison.Ordinal) && r.StatusCode == 200);
    }

    /// <summary>Runs `test` on copies of the two samples: the org URL is the stand-in's and the commented caSecretRef is
    /// on (a Secret with the stand-in's CA); <paramref name="token"/> replaces the placeholder when given.</summary>
    private async Task<CliResult> RunSampleAsync(string? token)
    {
        var samples = Path.Combine(CliRunner.RepositoryRoot(), "config", "samples");
        var manifest = await File.ReadAllTextAsync(Path.Combine(samples, "okta.yaml"));
        var secrets = await File.ReadAllTextAsync(Path.Combine(samples, "okta-secrets.yaml"));
        manifest.Should().Contain("orgUrl: https://example.okta.com").And.Contain("# caSecretRef: {name: corp-ca, key: ca.crt}");
        secrets.Should().Contain("token: \"REPLACE-WITH-OKTA-API-TOKEN\"");
        manifest = manifest.Replace("orgUrl: https://example.okta.com", $"orgUrl: {okta.OrgUrl}", StringComparison.Ordinal)
            .Replace("# caSecretRef: {name: corp-ca, key: ca.crt}", "caSecretRef: {name: corp-ca, key: ca.crt}", StringComparison.Ordinal);
        if (token is not null)
        {
            secrets = secrets.Replace("REPLACE-WITH-OKTA-API-TOKEN", token, StringComparison.Ordinal);
        }

        var ca = new StringBuilder("apiVersion: v1\nkind: Secret\nmetadata: {name: corp-ca, namespace: bitwarden}\nstringData:\n  ca.crt: |\n");
        foreach (var line in okta.CaPem.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            ca.Append("    ").Append(line.TrimEnd('\r')).Append('\n');
        }

        var (manifestPath, secretsPath, caPath) = (Path.Combine(folder, "okta.yaml"), Path.Combine(folder, "okta-secrets.yaml"), Path.Combine(folder, "corp-ca.yaml"));
        await File.WriteAllTextAsync(manifestPath, manifest);
        await File.WriteAllTextAsync(secretsPath, secrets);
        await File.WriteAllTextAsync(caPath, ca.ToString());
        return await CliRunner.RunAsync("test", "-f", manifestPath, "-f", secretsPath, "-f", caPath);
    }
}
