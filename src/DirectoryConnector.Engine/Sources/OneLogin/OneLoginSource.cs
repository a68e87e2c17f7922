using System.Globalization;
using DirectoryConnector.Engine.Planning;
using DirectoryConnector.Engine.Sources.Filters;
using Microsoft.Extensions.Logging;

namespace DirectoryConnector.Engine.Sources.OneLogin;

/// <summary>
/// Reads OneLogin users and roles (roles become Bitwarden groups, as in the original connector) through the v2 API.
/// <list type="bullet">
/// <item>Email: <c>email</c>; else <c>username</c> when it is an email; else <c>username + emailSuffix</c> when
/// useEmailPrefixSuffix is on. A user whose address is still unusable is skipped and reported naming the attribute it came from.</item>
/// <item>Status: only 2 (suspended) is disabled, as in the original connector. 3 (locked: failed logins, unlocks by itself),
/// 4 (password expired), 5 (awaiting password reset), 7 (password pending), 8 (security questions required) and
/// 0 (unactivated) are people who still belong to the organization and need to act, so they stay enabled members.</item>
/// <item>OneLogin reports no deleted users: a user that is gone is simply no longer listed, hence not sent.</item>
/// <item>Filters: <c>include:</c>/<c>exclude:</c> match the email (users) or the role name (groups), case-insensitively;
/// the text after <c>|</c> is passed to /api/2/users or /api/2/roles as a query string. As in the original connector, a
/// role include/exclude list also keeps only users who belong to a kept role (plus disabled users when removeDisabled).</item>
/// </list>
/// </summary>
internal sealed partial class OneLoginSource(
    OneLoginClient client,
    OneLoginConnection connection,
    OneLoginSourceOptions options,
    ILogger<OneLoginSource> logger) : IDirectorySource
{
    /// <summary>OneLogin's suspended status, the only one that disables a member.</summary>
    public const int SuspendedStatus = 2;

    public async Task<DirectorySnapshot> ReadAsync(DirectoryQuery query, CancellationToken cancellationToken)
    {
        var skipped = new List<SkippedEntry>();
        var users = new List<DirectoryUser>();
        var leftOutByFilter = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var user in client.ListUsersAsync(connection, options.UserFilter.Query, "spec.filters.users", cancellationToken).ConfigureAwait(false))
        {
            var id = user.Id.ToString(CultureInfo.InvariantCulture);
            var display = string.IsNullOrEmpty(user.Username) ? id : $"{id} ({user.Username})";
            var (email, problem) = ResolveEmail(user);
            if (problem is not null)
            {
                skipped.Add(new SkippedEntry(display, SkippedEntryKind.User, problem));
                continue;
            }

            if (!options.UserFilter.Keeps(email))
            {
                leftOutByFilter.Add(id);
                continue;
            }

            users.Add(new DirectoryUser(id, id, email, Disabled: user.Status == SuspendedStatus, Deleted: false, display));
        }

        var groups = new List<DirectoryGroup>();
        if (query.Groups)
        {
            var roles = new List<OneLoginRole>();
            await foreach (var role in client.ListRolesAsync(connection, options.GroupFilter.Query, "spec.filters.groups", cancellationToken).ConfigureAwait(false))
            {
                if (options.GroupFilter.Keeps(role.Name))
                {
                    roles.Add(role);
                }
            }

            foreach (var role in roles.OrderBy(r => r.Id))
            {
                var members = new SortedSet<long>();
                await foreach (var member in client.ListRoleMembersAsync(connection, role.Id, cancellationToken).ConfigureAwait(false))
                {
                    members.Add(member.Id);
                }

                var id = role.Id.ToString(CultureInfo.InvariantCulture);
                var references = members.Select(m => m.ToString(CultureInfo.InvariantCulture)).Where(m => !leftOutByFilter.Contains(m)).ToList();
                groups.Add(new DirectoryGroup(RoleReference(role.Id), id, role.Name, references, Selected: true,
                    string.IsNullOrEmpty(role.Name) ? $"role {id}" : $"{role.Name} (role {id})"));
            }

            if (options.GroupFilter.Keyword is not null)
            {
                // The original connector's filterUsersFromGroupsSet: a role list also selects the users.
                var inKeptRole = groups.SelectMany(g => g.MemberReferences).ToHashSet(StringComparer.Ordinal);
                var before = users.Count;
                users.RemoveAll(u => !inKeptRole.Contains(u.ReferenceId) && !(u.Disabled && options.RemoveDisabled));
                LogRoleFilteredUsers(logger, before - users.Count);
            }
        }

        users.Sort((a, b) => long.Parse(a.ReferenceId, CultureInfo.InvariantCulture).CompareTo(long.Parse(b.ReferenceId, CultureInfo.InvariantCulture)));
        return new DirectorySnapshot { Users = users, Groups = groups, Skipped = skipped };
    }

    /// <summary>Role ids and user ids are both small integers: the group side gets a prefix so a member reference to
    /// user 7 never resolves to role 7.</summary>
    internal static string RoleReference(long roleId) => string.Create(CultureInfo.InvariantCulture, $"role:{roleId}");

    /// <summary>The email to send, or why there is none (naming the attribute it came from).</summary>
    private (string? Email, string? Problem) ResolveEmail(OneLoginUser user)
    {
        var email = EntryValidation.NormalizeEmail(user.Email);
        if (email is not null && EntryValidation.EmailProblem(email) is null)
        {
            return (email, null);
        }

        var username = EntryValidation.NormalizeEmail(user.Username);
        if (username is not null && EntryValidation.EmailProblem(username) is null)
        {
            return (username, null);
        }

        var tried = email is null ? "has no email" : $"has an invalid email '{email}'";
        if (username is null)
        {
            return (null, $"{tried} and no username: it is not sent");
        }

        if (!options.UseEmailPrefixSuffix)
        {
            return (null, $"{tried} and its username '{username}' is not an email; set spec.source.oneLogin.useEmailPrefixSuffix and emailSuffix to build one: it is not sent");
        }

        var built = EntryValidation.NormalizeEmail(user.Username!.Trim() + options.EmailSuffix);
        return EntryValidation.EmailProblem(built) is null
            ? (built, null)
            : (null, $"{tried}; the address '{built}' built from username + emailSuffix is not valid either: it is not sent");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "OneLogin role filter left out {Count} users who belong to no kept role")]
    private static partial void LogRoleFilteredUsers(ILogger logger, int count);
}
