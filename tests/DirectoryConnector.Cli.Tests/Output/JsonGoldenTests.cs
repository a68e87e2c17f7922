using DirectoryConnector.Cli.Output;
using DirectoryConnector.Engine.Bitwarden;
using DirectoryConnector.Engine.Planning;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sync;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Cli.Tests.Output;

/// <summary>The state file and the plan report byte for byte, as the reflection-based serializer wrote them: their
/// contracts are generated at compile time (Native AOT), which must change no byte a user or a script reads. The inputs
/// hold what an encoder or a naming policy would treat differently: escapes, HTML-sensitive and non-ASCII characters,
/// nulls, an offset, an empty list.</summary>
public sealed class JsonGoldenTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("json-golden-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    internal static SyncState State() => new()
    {
        MembersHash = "m1",
        GroupsHash = "g1",
        MemberShards = "s1",
        GroupDigests = "d+1/=",
        LastSyncTime = new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.FromHours(1)),
        LastSuccessfulSyncTime = new DateTimeOffset(2026, 11, 30, 7, 0, 0, 123, TimeSpan.Zero),
        UserCount = 3,
        GroupCount = 1,
        SkippedCount = 0,
        ManagedMembers = ["cn=Zoë \"Z\" Ng\\, Jr.,ou=People", "uid=a<b>&'c'", "tab\there"],
        ManagedGroups = [],
        Organization = "https://api.example.com|3FA85F64-5717-4562-B3FC-2C963F66AFA6",
        SourceCursor = "entraId.v1:{\"users\":\"https://graph/delta?$deltatoken=a\\u0026b\",\"groups\":null}",
        SourceCursorScope = "ab12",
        LastFullReadTime = new DateTimeOffset(2026, 11, 29, 23, 59, 59, TimeSpan.FromHours(-5)),
    };

    internal static StateOwner Owner() => new("bitwarden/corp-é", "3fa85f64-5717-4562-b3fc-2c963f66afa6");

    internal static SyncOutcome Outcome()
    {
        var requests = new List<OrganizationImportRequest>
        {
            new([new ImportGroupRequest("R&D <core>", "cn=R&D,ou=Groups", ["uid=ann", "uid=zoë"])],
                [new ImportMemberRequest("ann+test@example.com", "uid=ann", false), new ImportMemberRequest("zoë@example.com", "uid=zoë", true)],
                OverwriteExisting: true, LargeImport: false, InviteUsersAfterProvisioning: false),
        };
        return new SyncOutcome
        {
            Result = SyncResult.Previewed,
            Plan = new ImportPlan
            {
                Members = [],
                Groups = [],
                Skipped =
                [
                    new SkippedEntry("cn=Empty \"Group\"", SkippedEntryKind.Group, "has no members"),
                    new SkippedEntry("uid=nomail", SkippedEntryKind.User, "no email <mail>"),
                ],
                Warnings = ["mail has a second value; the first is used (é)"],
                OverwriteExisting = true,
                MembersHash = "mh",
                GroupsHash = "gh",
                Present = new DirectoryPresence(new HashSet<string>(), new HashSet<string>()),
            },
            Requests = requests,
            MembersChanged = true,
            GroupsChanged = true,
            State = new SyncState(),
        };
    }

    internal static string PlanJson()
    {
        using var output = new StringWriter { NewLine = "\n" };
        PlanReport.WriteJson(Outcome(), output);
        return output.ToString();
    }

    [Fact]
    public async Task The_state_file_keeps_its_bytes()
    {
        var path = Path.Combine(folder, "state.json");
        await StateFile.SaveAsync(path, State(), Owner(), CancellationToken.None);
        (await File.ReadAllTextAsync(path)).Should().Be(StateGolden);

        // Loaded and saved again unread (the managed sets written back as read): still the same bytes.
        var (loaded, owner) = await StateFile.LoadAsync(path, CancellationToken.None);
        await StateFile.SaveAsync(path, loaded!, owner, CancellationToken.None);
        (await File.ReadAllTextAsync(path)).Should().Be(StateGolden);
    }

    [Fact]
    public void The_plan_report_keeps_its_bytes() => PlanJson().Should().Be(PlanGolden);

    private const string StateGolden = """
    {
      "version": 1,
      "membersHash": "m1",
      "groupsHash": "g1",
      "memberShards": "s1",
      "groupShards": null,
      "groupDigests": "d\u002B1/=",
      "lastSyncTime": "2026-11-30T08:00:00+01:00",
      "lastSuccessfulSyncTime": "2026-11-30T07:00:00.123+00:00",
      "userCount": 3,
      "groupCount": 1,
      "skippedCount": 0,
      "managedMembers": [
        "cn=Zo\u00EB \u0022Z\u0022 Ng\\, Jr.,ou=People",
        "uid=a\u003Cb\u003E\u0026\u0027c\u0027",
        "tab\there"
      ],
      "managedGroups": [],
      "removedDisabled": null,
      "organization": "https://api.example.com|3FA85F64-5717-4562-B3FC-2C963F66AFA6",
      "sourceCursor": "entraId.v1:{\u0022users\u0022:\u0022https://graph/delta?$deltatoken=a\\u0026b\u0022,\u0022groups\u0022:null}",
      "sourceCursorScope": "ab12",
      "lastFullReadTime": "2026-11-29T23:59:59-05:00",
      "writtenFor": {
        "directorySync": "bitwarden/corp-\u00E9"
      }
    }
    """;

    // WriteLine's newline after the document.
    private const string PlanGolden = """
    {
      "requests": [
        {
          "groups": [
            {
              "name": "R\u0026D \u003Ccore\u003E",
              "externalId": "cn=R\u0026D,ou=Groups",
              "memberExternalIds": [
                "uid=ann",
                "uid=zo\u00EB"
              ]
            }
          ],
          "members": [
            {
              "email": "ann\u002Btest@example.com",
              "externalId": "uid=ann",
              "deleted": false
            },
            {
              "email": "zo\u00EB@example.com",
              "externalId": "uid=zo\u00EB",
              "deleted": true
            }
          ],
          "overwriteExisting": true,
          "largeImport": false,
          "inviteUsersAfterProvisioning": false
        }
      ],
      "skipped": [
        {
          "kind": "user",
          "entry": "uid=nomail",
          "reason": "no email \u003Cmail\u003E"
        },
        {
          "kind": "group",
          "entry": "cn=Empty \u0022Group\u0022",
          "reason": "has no members"
        }
      ],
      "warnings": [
        "mail has a second value; the first is used (\u00E9)"
      ]
    }
    """ + "\n";
}
