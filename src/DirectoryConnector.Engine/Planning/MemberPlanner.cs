using System.Globalization;
using System.Text;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;

namespace DirectoryConnector.Engine.Planning;

/// <summary>The members part of a plan, and what groups need to list them.</summary>
/// <param name="Members">Every member to send, active and removed, in canonical order (external id, then email).</param>
/// <param name="ListedExternalIds">External ids a group may list, sorted ordinally: the members sent as active, and active entries left out because they clash or their email cannot be sent (so their existing members keep their groups).</param>
/// <param name="Clashes">One line per clash (shared email or external id among active entries), for the overwriteExisting error.</param>
internal sealed record MemberPlan(
    IReadOnlyList<PlannedMember> Members,
    string[] ListedExternalIds,
    UserReferenceIndex References,
    IReadOnlyList<SkippedEntry> Skipped,
    IReadOnlyList<string> Clashes);

/// <summary>Normalizes and validates users, merges repeated entries and sets aside clashing ones.</summary>
internal static class MemberPlanner
{
    public static MemberPlan Plan(IReadOnlyList<DirectoryUser> users, SyncOptionsSpec options)
    {
        var skipped = new List<SkippedEntry>();
        var references = new UserReferenceIndex();
        var candidates = new List<Candidate>(users.Count);
        var unsendable = new List<DirectoryUser>();

        foreach (var user in users)
        {
            var email = EntryValidation.NormalizeEmail(user.Email);
            var removed = user.Deleted || (options.RemoveDisabled && user.Disabled);
            var problem = EntryValidation.EmailProblem(email, user.EmailOrigin) ?? EntryValidation.ExternalIdProblem(user.ExternalId);
            if (problem is null)
            {
                candidates.Add(new Candidate(user, email!, removed));
                continue;
            }

            // An active user whose email the directory has but Bitwarden cannot take (too long, invalid) still has a
            // usable external id: its groups keep listing it (below), as for a clash, so the member Bitwarden may
            // already have keeps its groups. A user without an email is not listed (typically a service account).
            if (!removed && email is not null && EntryValidation.ExternalIdProblem(user.ExternalId) is null)
            {
                unsendable.Add(user);
            }
            else
            {
                references.Add(user.ReferenceId, UserReferenceIndex.NotListed);
            }

            skipped.Add(new SkippedEntry(user.DisplayName, SkippedEntryKind.User, removed
                ? $"is {RemovalCause(user)} but {problem}, so it cannot be sent as removed (Vaultwarden needs a valid email to remove a member): the member is left as it is"
                : $"{problem}: it is not sent"));
        }

        // Canonical order; an active entry sorts before a removed one with the same ids, so it wins the merge below.
        candidates.Sort(Candidate.CanonicalOrder);
        var entries = MergeRepeatedEntries(candidates);

        var clashes = new List<string>();
        var rejectedBecause = new Dictionary<Candidate, StringBuilder>();
        FindClashes(entries, static e => e.ExternalId, "external id", static e => e.Email, "email address", clashes, rejectedBecause);
        var byEmail = entries.ToArray();
        Array.Sort(byEmail, static (x, y) => string.CompareOrdinal(x.Email, y.Email) is var c and not 0 ? c : Candidate.CanonicalOrder(x, y));
        FindClashes(byEmail, static e => e.Email, "email address", static e => e.ExternalId, "external id", clashes, rejectedBecause);

        var members = new List<PlannedMember>(entries.Count);
        var listedExternalIds = new List<string>(entries.Count);
        foreach (var entry in entries)
        {
            var rejected = rejectedBecause.TryGetValue(entry, out var reasons);
            if (rejected)
            {
                skipped.Add(new SkippedEntry(entry.DisplayName, SkippedEntryKind.User, reasons!.ToString()));
            }
            else
            {
                members.Add(new PlannedMember(entry.Email, entry.ExternalId, entry.Disabled, entry.Removed, entry.DisplayName));
            }

            // A clashing active entry is not sent, but its groups still list it: the server replaces a group's
            // membership, so leaving it out would take the existing member out of its groups. The server ignores
            // external ids it does not know, so listing it never adds anyone.
            if (entry.Removed)
            {
                entry.ListedIndex = UserReferenceIndex.NotListed;
            }
            else if (listedExternalIds.Count > 0 && string.Equals(listedExternalIds[^1], entry.ExternalId, StringComparison.Ordinal))
            {
                entry.ListedIndex = listedExternalIds.Count - 1; // entries sharing an external id are adjacent (canonical order)
            }
            else
            {
                entry.ListedIndex = listedExternalIds.Count;
                listedExternalIds.Add(entry.ExternalId);
            }
        }

        string[] listed = [.. listedExternalIds];
        if (unsendable.Count == 0)
        {
            foreach (var candidate in candidates)
            {
                references.Add(candidate.ReferenceId, candidate.MergedInto!.ListedIndex);
            }

            return new MemberPlan(members, listed, references, skipped, clashes);
        }

        // Merge the unsendable users' external ids into the sorted list and move every index to its new place.
        var merged = listed.Concat(unsendable.Select(u => u.ExternalId)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        foreach (var candidate in candidates)
        {
            var index = candidate.MergedInto!.ListedIndex;
            references.Add(candidate.ReferenceId, index == UserReferenceIndex.NotListed
                ? index
                : Array.BinarySearch(merged, listed[index], StringComparer.Ordinal));
        }

        foreach (var user in unsendable)
        {
            references.Add(user.ReferenceId, Array.BinarySearch(merged, user.ExternalId, StringComparer.Ordinal));
        }

        return new MemberPlan(members, merged, references, skipped, clashes);
    }

    private static string RemovalCause(DirectoryUser user)
        => user.Deleted ? "deleted in the directory" : "disabled in the directory and removeDisabled is set";

    /// <summary>Entries with the same email and external id are one user reached twice: keep one. The merged entry
    /// stays active and enabled if any copy is, so a repeated entry never removes a member.</summary>
    private static List<Candidate> MergeRepeatedEntries(List<Candidate> sorted)
    {
        var entries = new List<Candidate>(sorted.Count);
        Candidate? current = null;
        foreach (var candidate in sorted)
        {
            if (current is not null
                && string.Equals(current.ExternalId, candidate.ExternalId, StringComparison.Ordinal)
                && string.Equals(current.Email, candidate.Email, StringComparison.Ordinal))
            {
                current.Disabled &= candidate.Disabled;
                candidate.MergedInto = current;
                continue;
            }

            current = candidate;
            candidate.MergedInto = candidate;
            entries.Add(candidate);
        }

        return entries;
    }

    /// <summary>
    /// Scans runs of entries sharing <paramref name="key"/> (the list is sorted by it).
    /// Two or more active entries in a run clash: the server would fail the whole import (500), so none of them
    /// is sent and they stay as they are in Bitwarden. A removed entry sharing the key with an active one is not
    /// sent either: removing it would remove the member the active entry keeps.
    /// </summary>
    private static void FindClashes(
        IReadOnlyList<Candidate> sorted,
        Func<Candidate, string> key,
        string keyName,
        Func<Candidate, string> other,
        string otherName,
        List<string> clashes,
        Dictionary<Candidate, StringBuilder> rejectedBecause)
    {
        var active = new List<Candidate>();
        for (var start = 0; start < sorted.Count;)
        {
            var runKey = key(sorted[start]);
            var end = start + 1;
            while (end < sorted.Count && string.Equals(key(sorted[end]), runKey, StringComparison.Ordinal))
            {
                end++;
            }

            if (end - start == 1)
            {
                start = end;
                continue;
            }

            active.Clear();
            for (var i = start; i < end; i++)
            {
                if (!sorted[i].Removed)
                {
                    active.Add(sorted[i]);
                }
            }

            if (active.Count >= 2)
            {
                active.Sort(static (x, y) => string.CompareOrdinal(x.DisplayName, y.DisplayName));
                var listing = string.Join("; ", active.Select(e => $"{e.DisplayName} ({otherName} {other(e)})"));
                clashes.Add($"{keyName} {runKey}: {listing}");
                foreach (var entry in active)
                {
                    Append(rejectedBecause, entry, string.Create(CultureInfo.InvariantCulture,
                        $"shares the {keyName} {runKey} with {active.Count - 1} other active {(active.Count == 2 ? "entry" : "entries")} ({listing}); none of them is sent, so Bitwarden leaves these members as they are until the directory lists each {keyName} once"));
                }
            }

            if (active.Count >= 1)
            {
                for (var i = start; i < end; i++)
                {
                    if (sorted[i].Removed)
                    {
                        Append(rejectedBecause, sorted[i],
                            $"is removed but shares the {keyName} {runKey} with the active entry {string.Join(", ", active.Select(e => e.DisplayName))}: it is not sent as removed, so that member is kept");
                    }
                }
            }

            start = end;
        }
    }

    private static void Append(Dictionary<Candidate, StringBuilder> reasons, Candidate entry, string reason)
    {
        if (reasons.TryGetValue(entry, out var existing))
        {
            existing.Append("; it also ").Append(reason);
        }
        else
        {
            reasons[entry] = new StringBuilder(reason);
        }
    }

    private sealed class Candidate(DirectoryUser user, string email, bool removed)
    {
        public string ReferenceId { get; } = user.ReferenceId;

        public string ExternalId { get; } = user.ExternalId;

        public string Email { get; } = email;

        public bool Removed { get; } = removed;

        public bool Disabled { get; set; } = user.Disabled;

        public string DisplayName { get; } = user.DisplayName;

        /// <summary>The entry this one was merged into (itself when it is kept).</summary>
        public Candidate? MergedInto { get; set; }

        public int ListedIndex { get; set; } = UserReferenceIndex.NotListed;

        public static int CanonicalOrder(Candidate? x, Candidate? y)
        {
            if (ReferenceEquals(x, y))
            {
                return 0;
            }

            if (x is null || y is null)
            {
                return x is null ? -1 : 1;
            }

            var order = string.CompareOrdinal(x.ExternalId, y.ExternalId);
            if (order == 0)
            {
                order = string.CompareOrdinal(x.Email, y.Email);
            }

            if (order == 0)
            {
                order = x.Removed.CompareTo(y.Removed);
            }

            if (order == 0)
            {
                order = x.Disabled.CompareTo(y.Disabled);
            }

            if (order == 0)
            {
                order = string.CompareOrdinal(x.DisplayName, y.DisplayName);
            }

            return order == 0 ? string.CompareOrdinal(x.ReferenceId, y.ReferenceId) : order;
        }
    }
}
