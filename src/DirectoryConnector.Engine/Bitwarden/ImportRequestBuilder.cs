using DirectoryConnector.Engine.Planning;
using DirectoryConnector.Engine.Sync;

namespace DirectoryConnector.Engine.Bitwarden;

public static class ImportRequestBuilder
{
    /// <summary>Largest request the original connector sends, and the cloud's limit without largeImport.</summary>
    public const int BatchSize = 2000;

    /// <summary>One request, or (total over BatchSize) member chunks then group chunks with largeImport.
    /// With overwriteExisting the one request always carries members and groups, whatever the flags say,
    /// because a request without members would remove every synced member.
    /// Throws SyncFailedException(InvalidSpec) when overwriteExisting would need more than one request.</summary>
    public static IReadOnlyList<OrganizationImportRequest> Build(ImportPlan plan, bool sendMembers, bool sendGroups, bool inviteUsersAfterProvisioning)
    {
        var shape = Shape(plan, sendMembers, sendGroups);
        var overwrite = plan.OverwriteExisting;

        // With overwriteExisting no deleted entries: the overwrite removes them anyway, and the server would count them
        // twice, refusing the import with 400 after it had already removed them (bitwarden-api.md §1.6 steps 1–2).
        ImportMemberRequest[] members = shape.SendMembers
            ? [.. plan.Members.Where(m => !overwrite || !m.Deleted).Select(m => new ImportMemberRequest(m.Email, m.ExternalId, m.Deleted))]
            : [];
        ImportGroupRequest[] groups = shape.SendGroups
            ? [.. plan.Groups.Select(g => new ImportGroupRequest(g.Name, g.ExternalId, g.MemberExternalIds ?? []))]
            : [];

        if (shape.Count == 0)
        {
            return [];
        }

        if (shape.Count == 1)
        {
            return [new OrganizationImportRequest(groups, members, overwrite, LargeImport: false, inviteUsersAfterProvisioning)];
        }

        // Members first: a group can only list members that already exist on the server.
        var requests = new List<OrganizationImportRequest>(shape.Count);
        requests.AddRange(members.Chunk(BatchSize).Select(chunk =>
            new OrganizationImportRequest([], chunk, OverwriteExisting: false, LargeImport: true, inviteUsersAfterProvisioning)));
        requests.AddRange(groups.Chunk(BatchSize).Select(chunk =>
            new OrganizationImportRequest(chunk, [], OverwriteExisting: false, LargeImport: true, inviteUsersAfterProvisioning)));
        return requests;
    }

    /// <summary>How many requests <see cref="Build"/> returns for the same arguments, with the same checks, without
    /// building them: what the table of <c>test</c> shows (at 50,000 members the requests are ~3 MB it never prints).</summary>
    public static int Count(ImportPlan plan, bool sendMembers, bool sendGroups) => Shape(plan, sendMembers, sendGroups).Count;

    /// <summary>What is sent and in how many requests; throws where <see cref="Build"/> must refuse.</summary>
    private static (bool SendMembers, bool SendGroups, int Count) Shape(ImportPlan plan, bool sendMembers, bool sendGroups)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var overwrite = plan.OverwriteExisting;
        if (overwrite)
        {
            sendMembers = sendGroups = true;
            if (!plan.Members.Any(m => !m.Deleted))
            {
                throw new SyncFailedException(SyncFailureReason.SourceEmpty,
                    "spec.sync.overwriteExisting is set but the directory yielded no active members: the import would remove every synced "
                    + "member from the organization. Check the source and filters, or turn overwriteExisting off.", retryable: false);
            }
        }

        var members = !sendMembers ? 0 : overwrite ? plan.Members.Count(m => !m.Deleted) : plan.Members.Count;
        var groups = sendGroups ? plan.Groups.Count : 0;
        if (members == 0 && groups == 0 && !overwrite)
        {
            return (sendMembers, sendGroups, 0);
        }

        if (members + groups <= BatchSize)
        {
            return (sendMembers, sendGroups, 1);
        }

        if (overwrite)
        {
            throw new SyncFailedException(SyncFailureReason.InvalidSpec,
                $"spec.sync.overwriteExisting cannot be used with {members} members and {groups} groups: an import over "
                + $"{BatchSize} entries is sent in several requests, and with overwriteExisting each request would remove the members "
                + "of the other requests. Turn overwriteExisting off; disabled and deleted users are still removed when removeDisabled is set.",
                retryable: false);
        }

        return (sendMembers, sendGroups, ((members + BatchSize - 1) / BatchSize) + ((groups + BatchSize - 1) / BatchSize));
    }
}
