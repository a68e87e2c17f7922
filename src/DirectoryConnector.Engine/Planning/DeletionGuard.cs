using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace DirectoryConnector.Engine.Planning;

/// <summary>spec.sync.maxDeletions: how many members (and, separately, groups) one sync may remove without approval.</summary>
public static partial class DeletionGuard
{
    /// <summary>10% of the members (groups) this DirectorySync manages, at least 1.</summary>
    public const string Default = "10%";

    public const int SampleSize = 10;

    /// <summary>True when <paramref name="value"/> is a count ("25") or a percentage ("10%", 0–100); null means the default.</summary>
    public static bool IsValid(string? value) => value is null || (Pattern().Match(value.Trim()) is { Success: true } match
        && (!match.Groups["percent"].Success || int.Parse(match.Groups["value"].ValueSpan, CultureInfo.InvariantCulture) <= 100));

    /// <summary>The removals allowed out of <paramref name="managed"/>: a count as written; a percentage of
    /// <paramref name="managed"/> rounded down but at least 1, so that one leaver never needs approval.</summary>
    public static int Limit(string? maxDeletions, int managed)
    {
        var match = Pattern().Match((maxDeletions ?? Default).Trim());
        if (!match.Success)
        {
            throw new FormatException($"spec.sync.maxDeletions \"{maxDeletions}\" is not a count such as 25 or a percentage such as 10%.");
        }

        var value = int.Parse(match.Groups["value"].ValueSpan, CultureInfo.InvariantCulture);
        return match.Groups["percent"].Success ? Math.Max(1, (int)((long)managed * value / 100)) : value;
    }

    /// <summary>First 16 hex digits of SHA-256 over the sorted external ids to remove: the same removals always give
    /// the same hash, and any other set another one, so an approval covers exactly one plan.</summary>
    public static string PlanHash(IEnumerable<string> memberExternalIds, IEnumerable<string> groupExternalIds)
    {
        var text = new StringBuilder();
        foreach (var id in memberExternalIds.Order(StringComparer.Ordinal))
        {
            text.Append("member\n").Append(id).Append('\n');
        }

        foreach (var id in groupExternalIds.Order(StringComparer.Ordinal))
        {
            text.Append("group\n").Append(id).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }

    /// <summary>The message of a triggered guard: numbers, sample, and how to approve.</summary>
    public static string Describe(DeletionGuardReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var what = new List<string>();
        if (report.MemberRemovals > report.MemberLimit)
        {
            what.Add($"{report.MemberRemovals} of {report.ManagedMembers} managed members (maxDeletions allows {report.MemberLimit})");
        }

        if (report.GroupDeletions > report.GroupLimit)
        {
            what.Add($"{report.GroupDeletions} of {report.ManagedGroups} managed groups (maxDeletions allows {report.GroupLimit})");
        }

        return $"The sync would remove {string.Join(" and ", what)}; nothing was posted. Would go: {string.Join(", ", report.Sample)}"
            + (report.MemberRemovals + report.GroupDeletions > report.Sample.Count ? ", …" : "")
            + $". If the directory is right, approve exactly these removals with the annotation directoryconnector.dev/approve-deletions={report.PlanHash} "
            + $"(CLI: --approve-deletions {report.PlanHash}); otherwise fix the source or filters.";
    }

    [GeneratedRegex(@"^(?<value>\d{1,9})(?<percent>%)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
