using System.Text.Json;
using DirectoryConnector.TestSupport.EntraId;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Cli.Tests.EndToEnd;

/// <summary>config/samples/entra-id.yaml with its Secrets (entra-id-secrets.yaml) works as committed: only the
/// placeholders an administrator replaces (tenant, application id, client secret) are filled in, and the hosts are
/// pointed at the loopback Entra ID stand-in (authorityHost, graphUrl, caSecretRef), then `test` runs the command
/// the sample's header gives.</summary>
public sealed class EntraIdSampleTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("dc-cli-entra-sample-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task The_sample_and_its_secrets_read_the_tenant_once_the_placeholders_are_filled_in()
    {
        await using var entra = await EntraIdStandIn.StartAsync();
        string Id(int n) => $"a0000000-0000-4000-8000-{n:D12}";
        foreach (var (n, name) in new[] { (1, "ann"), (2, "ben"), (3, "cleo"), (4, "dan") })
        {
            entra.Tenant.AddUser(new EntraUser(Id(n), $"{name}@contoso.com", $"{name}@contoso.com"));
        }

        entra.Tenant.AddUser(new EntraUser(Id(5), "pat_partner.example#EXT#@contoso.onmicrosoft.com", "pat@partner.example", UserType: "Guest"));
        entra.Tenant.AddGroup(Id(10), "Engineering", Id(1), Id(2), Id(5));
        entra.Tenant.AddGroup(Id(11), "Sales", Id(3));
        entra.Tenant.AddGroup(Id(12), "Marketing", Id(4));

        var samples = Path.Combine(CliRunner.RepositoryRoot(), "config", "samples");
        var manifest = Path.Combine(folder, "entra-id.yaml");
        var secrets = Path.Combine(folder, "entra-id-secrets.yaml");
        var yaml = File.ReadAllText(Path.Combine(samples, "entra-id.yaml"));
        const string SecretRefLine = "      clientSecretRef: {name: entra-app, key: client-secret}\n";
        yaml.Should().Contain(SecretRefLine);
        File.WriteAllText(manifest, yaml
            .Replace("tenant: 00000000-0000-0000-0000-000000000000", $"tenant: {entra.TenantId}", StringComparison.Ordinal)
            .Replace("applicationId: 11111111-1111-1111-1111-111111111111", $"applicationId: {entra.ApplicationId}", StringComparison.Ordinal)
            .Replace(SecretRefLine, SecretRefLine
                + $"      authorityHost: {entra.BaseUrl.AbsoluteUri}\n      graphUrl: {entra.BaseUrl.AbsoluteUri}\n      caSecretRef: {{name: test-ca, key: ca.crt}}\n", StringComparison.Ordinal));
        var ca = string.Join("\n", entra.CaPem.Trim().Split('\n').Select(line => "    " + line.TrimEnd('\r')));
        File.WriteAllText(secrets, File.ReadAllText(Path.Combine(samples, "entra-id-secrets.yaml"))
            .Replace("REPLACE-WITH-THE-CLIENT-SECRET-VALUE", entra.ClientSecret, StringComparison.Ordinal)
            + $"---\napiVersion: v1\nkind: Secret\nmetadata: {{name: test-ca, namespace: bitwarden}}\nstringData:\n  ca.crt: |\n{ca}\n");

        var result = await CliRunner.RunAsync("test", "-f", manifest, "-f", secrets, "-o", "json");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().NotContain(entra.ClientSecret);
        using var sent = JsonDocument.Parse(result.Output);
        var request = sent.RootElement.GetProperty("requests").EnumerateArray().Should().ContainSingle().Subject;
        request.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("email").GetString())
            .Should().BeEquivalentTo(["ann@contoso.com", "ben@contoso.com", "cleo@contoso.com"], "groups: include:Engineering,Sales keeps their members; the guest is skipped");
        request.GetProperty("groups").EnumerateArray().Select(g => g.GetProperty("name").GetString())
            .Should().BeEquivalentTo(["Engineering", "Sales"]);
    }
}
