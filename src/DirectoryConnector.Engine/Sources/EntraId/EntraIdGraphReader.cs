using Microsoft.Graph;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions.Serialization;

namespace DirectoryConnector.Engine.Sources.EntraId;

/// <summary>A user as one delta round returned it (the last copy when it appeared several times).</summary>
internal sealed record EntraIdUserEntry(string Id, string? Mail, string? UserPrincipalName, bool? AccountEnabled, string? UserType, string? DisplayName, bool Removed);

/// <summary>A group as one delta round returned it, its members@delta merged over every page it appeared on.</summary>
internal sealed class EntraIdGroupEntry(string id)
{
    public string Id { get; } = id;

    public string? DisplayName { get; set; }

    public bool Removed { get; set; }

    /// <summary>Member id → removed (true when members@delta carried @removed); users and groups only.</summary>
    public SortedDictionary<string, bool> Members { get; } = new(StringComparer.Ordinal);

    /// <summary>Members that are no user or group (a device, an orgContact, a servicePrincipal): id → their
    /// @odata.type without the "#microsoft.graph." prefix. Never members in Bitwarden; reported by name.</summary>
    public SortedDictionary<string, string> NotAccounts { get; } = new(StringComparer.Ordinal);
}

/// <summary>What one delta round returned and the link that starts the next one.</summary>
internal sealed record EntraIdDeltaRound<T>(IReadOnlyList<T> Entries, string DeltaLink);

/// <summary>The delta link was rejected: Graph no longer holds its change-tracking state (410 Gone, or 400 with
/// syncStateNotFound / syncStateInvalid / resyncRequired; learn.microsoft.com/graph/delta-query-overview).</summary>
internal sealed class EntraIdDeltaExpiredException(string code, Exception inner) : Exception($"Graph answered {code}", inner)
{
    public string Code { get; } = code;
}

/// <summary>
/// The Graph reads the Entra ID source makes, through the SDK's request builders and <see cref="PageIterator{TEntity, TCollectionPage}"/>
/// (every page followed through the server's @odata.nextLink, the round's @odata.deltaLink kept). Errors surface as
/// the SDK's <see cref="ODataError"/>; <see cref="EntraIdErrors"/> turns them into sync failures.
/// </summary>
internal sealed class EntraIdGraphReader(GraphServiceClient client)
{
    /// <summary>Properties the source reads; accountEnabled is returned only when selected (resources/user).</summary>
    internal static readonly string[] UserSelect = ["id", "displayName", "mail", "userPrincipalName", "accountEnabled", "userType"];

    internal static readonly string[] GroupSelect = ["id", "displayName", "members"];

    /// <summary>A users delta round: the initial one (every user) when <paramref name="deltaLink"/> is null.</summary>
    public async Task<EntraIdDeltaRound<EntraIdUserEntry>> UsersDeltaAsync(string? deltaLink, CancellationToken cancellationToken)
    {
        Microsoft.Graph.Users.Delta.DeltaGetResponse? first;
        try
        {
            first = deltaLink is null
                ? await client.Users.Delta.GetAsDeltaGetResponseAsync(r => r.QueryParameters.Select = UserSelect, cancellationToken).ConfigureAwait(false)
                : await client.Users.Delta.WithUrl(deltaLink).GetAsDeltaGetResponseAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (ODataError e) when (deltaLink is not null && IsExpiredDelta(e))
        {
            throw new EntraIdDeltaExpiredException(e.Error?.Code ?? e.ResponseStatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture), e);
        }

        var entries = new Dictionary<string, EntraIdUserEntry>(StringComparer.Ordinal);
        var iterator = PageIterator<User, Microsoft.Graph.Users.Delta.DeltaGetResponse>.CreatePageIterator(client, first!, user =>
        {
            if (user.Id is { } id)
            {
                // The same object may appear several times in a round: the last copy wins.
                entries[id] = new EntraIdUserEntry(id, user.Mail, user.UserPrincipalName, user.AccountEnabled, user.UserType, user.DisplayName,
                    user.AdditionalData.ContainsKey("@removed"));
            }

            return true;
        });
        await iterator.IterateAsync(cancellationToken).ConfigureAwait(false);
        return new EntraIdDeltaRound<EntraIdUserEntry>([.. entries.Values.OrderBy(e => e.Id, StringComparer.Ordinal)], DeltaLinkOf(iterator.Deltalink));
    }

    /// <summary>A groups delta round with members@delta (the full membership in the initial round).</summary>
    public async Task<EntraIdDeltaRound<EntraIdGroupEntry>> GroupsDeltaAsync(string? deltaLink, CancellationToken cancellationToken)
    {
        Microsoft.Graph.Groups.Delta.DeltaGetResponse? first;
        try
        {
            first = deltaLink is null
                ? await client.Groups.Delta.GetAsDeltaGetResponseAsync(r => r.QueryParameters.Select = GroupSelect, cancellationToken).ConfigureAwait(false)
                : await client.Groups.Delta.WithUrl(deltaLink).GetAsDeltaGetResponseAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (ODataError e) when (deltaLink is not null && IsExpiredDelta(e))
        {
            throw new EntraIdDeltaExpiredException(e.Error?.Code ?? e.ResponseStatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture), e);
        }

        var entries = new Dictionary<string, EntraIdGroupEntry>(StringComparer.Ordinal);
        var iterator = PageIterator<Group, Microsoft.Graph.Groups.Delta.DeltaGetResponse>.CreatePageIterator(client, first!, group =>
        {
            if (group.Id is not { } id)
            {
                return true;
            }

            // A large group repeats on consecutive pages, each with a slice of members@delta: merge per id.
            if (!entries.TryGetValue(id, out var entry))
            {
                entries[id] = entry = new EntraIdGroupEntry(id);
            }

            entry.DisplayName = group.DisplayName ?? entry.DisplayName;
            entry.Removed = group.AdditionalData.ContainsKey("@removed");
            if (group.AdditionalData.TryGetValue("members@delta", out var members) && members is UntypedArray array)
            {
                foreach (var member in array.GetValue().OfType<UntypedObject>())
                {
                    var properties = member.GetValue();
                    if (properties.TryGetValue("id", out var memberId) && memberId is UntypedString { } text && text.GetValue() is { } value)
                    {
                        // members@delta names each member's type (#microsoft.graph.user, .group, .device, .orgContact, ...).
                        var type = properties.TryGetValue("@odata.type", out var typed) && typed is UntypedString { } typeText
                            ? typeText.GetValue()?.Replace("#microsoft.graph.", "", StringComparison.Ordinal)
                            : null;
                        if (type is null or "user" or "group")
                        {
                            entry.Members[value] = properties.ContainsKey("@removed");
                            entry.NotAccounts.Remove(value);
                        }
                        else if (properties.ContainsKey("@removed"))
                        {
                            entry.NotAccounts.Remove(value);
                        }
                        else
                        {
                            entry.NotAccounts[value] = type;
                        }
                    }
                }
            }

            return true;
        });
        await iterator.IterateAsync(cancellationToken).ConfigureAwait(false);
        return new EntraIdDeltaRound<EntraIdGroupEntry>([.. entries.Values.OrderBy(e => e.Id, StringComparer.Ordinal)], DeltaLinkOf(iterator.Deltalink));
    }

    /// <summary>The ids of the users among a group's transitive members (devices, contacts, service principals and
    /// the nested groups themselves are not users). Throws ODataError 404 for an unknown group id.</summary>
    public async Task<IReadOnlyList<string>> TransitiveMemberUserIdsAsync(string groupId, CancellationToken cancellationToken)
    {
        var first = await client.Groups[groupId].TransitiveMembers.GetAsync(r =>
        {
            r.QueryParameters.Select = ["id"];
            r.QueryParameters.Top = 999;
        }, cancellationToken).ConfigureAwait(false);
        return await UserIdsAsync(first!, o => o is User, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The ids of the groups in an administrative unit. Throws ODataError 404 for an unknown unit id.</summary>
    public async Task<IReadOnlyList<string>> AdministrativeUnitGroupIdsAsync(string unitId, CancellationToken cancellationToken)
    {
        var first = await client.Directory.AdministrativeUnits[unitId].Members.GetAsync(r =>
        {
            r.QueryParameters.Select = ["id"];
            r.QueryParameters.Top = 999;
        }, cancellationToken).ConfigureAwait(false);
        return await UserIdsAsync(first!, o => o is Group, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A soft-deleted user from deletedItems (kept 30 days), to learn the address it had; null when it is
    /// gone for good (404).</summary>
    public async Task<User?> DeletedUserAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            return await client.Directory.DeletedItems[id].GetAsync(r => r.QueryParameters.Select = UserSelect, cancellationToken).ConfigureAwait(false) as User;
        }
        catch (ODataError e) when (e.ResponseStatusCode == 404)
        {
            return null;
        }
    }

    /// <summary>Every soft-deleted user in deletedItems (kept 30 days; api/directory-deleteditems-list), sorted by id.</summary>
    public async Task<IReadOnlyList<User>> DeletedUsersAsync(CancellationToken cancellationToken)
    {
        var first = await client.Directory.DeletedItems.GraphUser.GetAsync(r =>
        {
            r.QueryParameters.Select = UserSelect;
            r.QueryParameters.Top = 999;
        }, cancellationToken).ConfigureAwait(false);
        var users = new List<User>();
        var iterator = PageIterator<User, UserCollectionResponse>.CreatePageIterator(client, first!, user =>
        {
            users.Add(user);
            return true;
        });
        await iterator.IterateAsync(cancellationToken).ConfigureAwait(false);
        return [.. users.Where(u => u.Id is not null).OrderBy(u => u.Id, StringComparer.Ordinal)];
    }

    private async Task<IReadOnlyList<string>> UserIdsAsync(DirectoryObjectCollectionResponse first, Func<DirectoryObject, bool> wanted, CancellationToken cancellationToken)
    {
        var ids = new SortedSet<string>(StringComparer.Ordinal);
        var iterator = PageIterator<DirectoryObject, DirectoryObjectCollectionResponse>.CreatePageIterator(client, first, item =>
        {
            if (wanted(item) && item.Id is { } id)
            {
                ids.Add(id);
            }

            return true;
        });
        await iterator.IterateAsync(cancellationToken).ConfigureAwait(false);
        return [.. ids];
    }

    private static bool IsExpiredDelta(ODataError e)
        => e.ResponseStatusCode == 410
           || e.Error?.Code is "syncStateNotFound" or "syncStateInvalid" or "resyncRequired";

    private static string DeltaLinkOf(string? link)
        => link ?? throw new InvalidOperationException("Graph ended a delta round without an @odata.deltaLink.");
}
