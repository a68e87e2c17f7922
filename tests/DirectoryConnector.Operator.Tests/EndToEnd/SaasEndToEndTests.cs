using System.Text;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources.EntraId;
using DirectoryConnector.Engine.Sources.GoogleWorkspace;
using DirectoryConnector.Operator.Resources;
using DirectoryConnector.TestSupport.EntraId;
using DirectoryConnector.TestSupport.GoogleWorkspace;
using FluentAssertions;
using k8s;
using k8s.Models;
using Xunit;
using Xunit.Abstractions;
using static DirectoryConnector.Operator.Tests.EndToEnd.OperatorEnvironment;

namespace DirectoryConnector.Operator.Tests.EndToEnd;

/// <summary>The operator host (Kubernetes API emulator, CRD from config/crd) syncing SaaS directories from their
/// loopback stand-ins into the Bitwarden stand-in: credentials and the stand-in's CA come from Secrets of the
/// DirectorySync's namespace; the DirectorySync turns Ready with counts and the organization equals the directory,
/// also after a change.</summary>
public sealed class SaasEndToEndTests(ITestOutputHelper output)
{
    [Fact]
    public async Task An_entra_id_DirectorySync_turns_Ready_with_counts_and_the_organization_follows_the_tenant()
    {
        await using var env = await StartAsync(output);
        await using var entra = await EntraIdStandIn.StartAsync();
        entra.DeltaPageSize = 2;
        var (alice, bob, carol, engineering) = (Guid.NewGuid().ToString(), Guid.NewGuid().ToString(), Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
        entra.Tenant.AddUser(new EntraUser(alice, "alice@contoso.com", "alice@contoso.com"));
        entra.Tenant.AddUser(new EntraUser(bob, "bob@contoso.com", "bob@contoso.com", AccountEnabled: false));
        entra.Tenant.AddUser(new EntraUser(Guid.NewGuid().ToString(), "pat_partner.example#EXT#@contoso.onmicrosoft.com", "pat@partner.example", UserType: "Guest"));
        entra.Tenant.AddGroup(engineering, "Engineering", alice, bob);
        await env.PutApiKeySecretAsync();
        await PutSecretAsync(env, "entra-app", ("client-secret", entra.ClientSecret), ("ca.crt", entra.CaPem));
        await env.StartOperatorAsync();

        var spec = env.Spec();
        spec.Source = new SourceSpec
        {
            EntraId = new EntraIdSourceSpec
            {
                Tenant = entra.TenantId,
                ApplicationId = entra.ApplicationId,
                ClientSecretRef = new SecretKeyRef { Name = "entra-app", Key = "client-secret" },
                CaSecretRef = new SecretKeyRef { Name = "entra-app", Key = "ca.crt" },
                AuthorityHost = entra.BaseUrl.AbsoluteUri,
                GraphUrl = entra.BaseUrl.AbsoluteUri,
            },
        };
        await env.CreateDirectorySyncAsync("entra", spec);
        var synced = await env.WaitForAsync("entra", s => IsReady(s, "Synced"), "Synced from Entra ID");

        synced.Status!.SourceType.Should().Be("entraId");
        (synced.Status.UserCount, synced.Status.GroupCount, synced.Status.SkippedCount).Should().Be((2, 1, 1), "the guest is skipped and reported");
        synced.Status.SourceCursor.Should().StartWith("entraId.v1:", "the delta links are kept for the next sync");
        Organization(env).Should().Equal("alice@contoso.com", "bob@contoso.com", "Engineering: alice@contoso.com bob@contoso.com");
        Ready(synced)!.Message.Should().NotContain(entra.ClientSecret);

        entra.Tenant.AddUser(new EntraUser(carol, "carol@contoso.com", "carol@contoso.com"));
        entra.Tenant.AddMember(engineering, carol);
        entra.Tenant.DeleteUser(alice);
        await RequestSyncAsync(env, "entra");
        var changed = await env.WaitForAsync("entra", s => IsReady(s) && s.Status!.SyncedRevision != synced.Status.SyncedRevision, "resync after the change");

        (changed.Status!.UserCount, changed.Status.GroupCount).Should().Be((2, 1), "alice was deleted (sent as deleted), carol added");
        Organization(env).Should().Equal("bob@contoso.com", "carol@contoso.com", "Engineering: bob@contoso.com carol@contoso.com");
    }

    [Fact]
    public async Task A_google_workspace_DirectorySync_turns_Ready_with_counts_and_the_organization_follows_the_customer()
    {
        await using var env = await StartAsync(output);
        await using var google = await GoogleWorkspaceStandIn.StartAsync();
        google.MaxPageSize = 2;
        google.AddUser("admin@example.com", isAdmin: true);
        var alice = google.AddUser("alice@example.com");
        var bob = google.AddUser("bob@example.com");
        google.AddUser("nomail@example.com").HasEmails = false;
        var engineering = google.AddGroup("Engineering");
        var everyone = google.AddGroup("Everyone");
        google.Change(() =>
        {
            engineering.Members.AddRange([GoogleWorkspaceStandIn.UserMember(alice), GoogleWorkspaceStandIn.UserMember(bob)]);
            everyone.Members.Add(google.CustomerMember());
        });
        await env.PutApiKeySecretAsync();
        await PutSecretAsync(env, "google-sa", ("key.json", google.ServiceAccount.ToJsonKey()), ("ca.crt", google.CaPem));
        await env.StartOperatorAsync();

        var spec = env.Spec();
        spec.Source = new SourceSpec
        {
            GoogleWorkspace = new GoogleWorkspaceSourceSpec
            {
                AdminUser = "admin@example.com",
                ServiceAccountKeySecretRef = new SecretKeyRef { Name = "google-sa", Key = "key.json" },
                CaSecretRef = new SecretKeyRef { Name = "google-sa", Key = "ca.crt" },
                TokenUrl = google.TokenUrl.AbsoluteUri,
                ApiUrl = google.BaseUrl.AbsoluteUri,
            },
        };
        await env.CreateDirectorySyncAsync("google", spec);
        var synced = await env.WaitForAsync("google", s => IsReady(s, "Synced"), "Synced from Google Workspace");

        synced.Status!.SourceType.Should().Be("googleWorkspace");
        (synced.Status.UserCount, synced.Status.GroupCount, synced.Status.SkippedCount).Should().Be((3, 2, 1), "the user without email addresses is skipped and reported");
        Organization(env).Should().Equal(
            "admin@example.com", "alice@example.com", "bob@example.com",
            "Engineering: alice@example.com bob@example.com",
            "Everyone: admin@example.com alice@example.com bob@example.com");

        google.Change(() =>
        {
            bob.Suspended = true;
            engineering.Name = "Platform";
            engineering.Members.RemoveAll(m => m.Id == alice.Id);
        });
        var carol = google.AddUser("carol@example.com");
        google.Change(() => engineering.Members.Add(GoogleWorkspaceStandIn.UserMember(carol)));
        await RequestSyncAsync(env, "google");
        await env.WaitForAsync("google", s => IsReady(s) && s.Status!.SyncedRevision != synced.Status.SyncedRevision && s.Status.UserCount == 4, "resync after the change");

        Organization(env).Should().Equal(
            "admin@example.com", "alice@example.com", "bob@example.com", "carol@example.com",
            "Everyone: admin@example.com alice@example.com bob@example.com carol@example.com",
            "Platform: carol@example.com");
    }

    private static Task RequestSyncAsync(OperatorEnvironment env, string name) =>
        env.PatchAsync(name, new { metadata = new { annotations = new Dictionary<string, string> { [DirectorySync.SyncRequestedAtAnnotation] = DateTimeOffset.UtcNow.ToString("O") } } });

    private static async Task PutSecretAsync(OperatorEnvironment env, string name, params (string Key, string Value)[] data)
    {
        var secret = new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Namespace },
            Data = data.ToDictionary(d => d.Key, d => Encoding.UTF8.GetBytes(d.Value)),
        };
        await env.Client.CoreV1.CreateNamespacedSecretAsync(secret, Namespace);
    }

    /// <summary>Member emails (sorted), then "group: member emails" per group.</summary>
    private static string[] Organization(OperatorEnvironment env)
    {
        var organization = env.Bitwarden.Organization;
        var emails = organization.Members.Where(m => m.ExternalId is not null).ToDictionary(m => m.ExternalId!, m => m.Email, StringComparer.Ordinal);
        return
        [
            .. organization.Members.Select(m => m.Email).Order(StringComparer.Ordinal),
            .. organization.Groups.Select(g => $"{g.Name}: {string.Join(' ', organization.MemberExternalIdsOf(g).Select(id => emails[id]).Order(StringComparer.Ordinal))}".TrimEnd())
                .Order(StringComparer.Ordinal),
        ];
    }
}
