using DirectoryConnector.Engine.Bitwarden;
using DirectoryConnector.TestSupport.Bitwarden;
using FluentAssertions;
using Xunit;
using static DirectoryConnector.Engine.Tests.Bitwarden.BitwardenTestKit;

namespace DirectoryConnector.Engine.Tests.Bitwarden;

/// <summary>The import request body byte for byte, as the reflection-based serializer sent it: its contract is
/// generated at compile time (Native AOT), which must change nothing the server receives (names, order, escapes).</summary>
public sealed class ImportBodyGoldenTests
{
    internal static OrganizationImportRequest Request() => new(
        [new ImportGroupRequest("R&D <core> \"é\"", "cn=R&D,ou=Groups", ["uid=ann", "uid=zoë"]), new ImportGroupRequest("Empty", "cn=Empty", [])],
        [new ImportMemberRequest("ann+test@example.com", "uid=ann", false), new ImportMemberRequest("zoë@example.com", "uid=zoë", true)],
        OverwriteExisting: true, LargeImport: false, InviteUsersAfterProvisioning: true);

    [Fact]
    public async Task The_import_body_keeps_its_bytes()
    {
        await using var standIn = await BitwardenStandIn.StartAsync();

        await Client().ImportAsync(Endpoints(standIn), Key(standIn), [Request()], CancellationToken.None);

        standIn.ImportRequests.Should().ContainSingle().Which.Body.Should().Be(Golden);
    }

    private const string Golden = """{"groups":[{"name":"R\u0026D \u003Ccore\u003E \u0022\u00E9\u0022","externalId":"cn=R\u0026D,ou=Groups","memberExternalIds":["uid=ann","uid=zo\u00EB"]},{"name":"Empty","externalId":"cn=Empty","memberExternalIds":[]}],"members":[{"email":"ann\u002Btest@example.com","externalId":"uid=ann","deleted":false},{"email":"zo\u00EB@example.com","externalId":"uid=zo\u00EB","deleted":true}],"overwriteExisting":true,"largeImport":false,"inviteUsersAfterProvisioning":true}""";
}
