using System.Text;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.TestSupport.Ldap;
using FluentAssertions;
using k8s;
using k8s.Models;
using Xunit;
using Xunit.Abstractions;
using static DirectoryConnector.Operator.Tests.EndToEnd.OperatorEnvironment;
using DirectoryConnector.Engine.Sources.Ldap;

namespace DirectoryConnector.Operator.Tests.EndToEnd;

/// <summary>The operator syncing from a real slapd (seeded by TestSupport/Ldap) into the Bitwarden stand-in.</summary>
public sealed class LdapEndToEndTests(SlapdFixture slapd, ITestOutputHelper output) : IClassFixture<SlapdFixture>
{
    [Fact]
    public async Task AWrongBindPasswordStallsWithSourceAuthFailedAndFixingTheSecretSyncsTheDirectory()
    {
        await using var env = await StartAsync(output);
        await env.PutApiKeySecretAsync();
        await PutBindPasswordAsync(env, "not-the-password");
        await env.StartOperatorAsync();

        await env.CreateDirectorySyncAsync("corp-ldap", LdapSpec(env));
        var failed = await env.WaitForAsync("corp-ldap", s => Ready(s)?.Reason == "SourceAuthFailed", "Ready=False/SourceAuthFailed");
        failed.Status!.Conditions!.Should().Contain(c => c.Type == "Stalled" && c.Status == "True");
        Ready(failed)!.Message.Should().NotContain("not-the-password");
        env.Bitwarden.ImportRequests.Should().BeEmpty("a directory that cannot be read never removes anyone");

        await PutBindPasswordAsync(env, slapd.Example.AdminPassword);
        var synced = await env.WaitForAsync("corp-ldap", s => IsReady(s, "Synced"), "Synced from slapd");

        synced.Status!.SourceType.Should().Be("ldap");
        synced.Status.UserCount.Should().Be(env.Bitwarden.Organization.Members.Count).And.BeGreaterThan(0);
        synced.Status.SkippedCount.Should().BeGreaterThan(0, "Dave Brown has no email");
        env.Bitwarden.Organization.Members.Select(m => m.Email.ToLowerInvariant()).Should().Contain(["alice.smith@example.org", "bob@example.org"]);
        env.Bitwarden.Organization.Groups.Select(g => g.Name).Should().Contain(["Engineering", "Platform"]);
    }

    private DirectorySyncSpec LdapSpec(OperatorEnvironment env)
    {
        var spec = env.Spec();
        spec.Source = new SourceSpec
        {
            Ldap = new LdapSourceSpec
            {
                Hostname = SlapdServer.Host,
                Port = slapd.Server.LdapPort,
                RootPath = slapd.Example.Suffix,
                UserPath = "ou=People",
                GroupPath = "ou=Groups",
                Username = slapd.Example.AdminDn,
                PasswordSecretRef = new SecretKeyRef { Name = "ldap-bind", Key = "password" },
            },
        };
        return spec;
    }

    private static async Task PutBindPasswordAsync(OperatorEnvironment env, string password)
    {
        var secret = new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "ldap-bind", NamespaceProperty = Namespace },
            Data = new Dictionary<string, byte[]> { ["password"] = Encoding.UTF8.GetBytes(password) },
        };
        var existing = (await env.Client.CoreV1.ListNamespacedSecretAsync(Namespace)).Items.SingleOrDefault(s => s.Metadata.Name == "ldap-bind");
        if (existing is null)
        {
            await env.Client.CoreV1.CreateNamespacedSecretAsync(secret, Namespace);
        }
        else
        {
            secret.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
            await env.Client.CoreV1.ReplaceNamespacedSecretAsync(secret, "ldap-bind", Namespace);
        }
    }
}
