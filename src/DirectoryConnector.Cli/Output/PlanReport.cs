using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using DirectoryConnector.Engine.Bitwarden;
using DirectoryConnector.Engine.Planning;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sync;

namespace DirectoryConnector.Cli.Output;

/// <summary>Prints what a sync would send: a table for people, or the exact import requests as JSON.</summary>
internal static partial class PlanReport
{
    /// <summary>{"requests": [the exact import requests], "skipped": [{"kind","entry","reason"}], "warnings": ["…"]}:
    /// every entry left out is named with its reason, as in the table.</summary>
    public static void WriteJson(SyncOutcome outcome, TextWriter output)
    {
        var plan = outcome.Plan ?? throw new InvalidOperationException("A preview always reads the whole directory.");
        output.WriteLine(JsonSerializer.Serialize(
            new JsonReport(outcome.Requests, SkippedEntry.InReportOrder(plan.Skipped).Select(s => new JsonSkipped(s.KindName, s.Entry, s.Reason)), plan.Warnings),
            PlanReportJsonContext.Default.JsonReport));
    }

    /// <param name="requestCount">How many import requests a sync would post (the preview need not build them).</param>
    public static void WriteTable(SyncOutcome outcome, int requestCount, TextWriter output)
    {
        var plan = outcome.Plan ?? throw new InvalidOperationException("A preview always reads the whole directory.");
        // Rows go through one buffer written out in large pieces: Console.Out flushes on every write, and a directory
        // of 50,000 users is 55,000 rows.
        var buffer = new StringBuilder();
        var members = plan.Members.ToArray();
        Array.Sort(members, static (x, y) => string.CompareOrdinal(x.Email, y.Email) is var order and not 0 ? order : string.CompareOrdinal(x.ExternalId, y.ExternalId));
        // A member's place in that order: a group's members are then listed by email with an integer sort (the plan
        // sends each external id once, so each has one place).
        var rankByExternalId = new Dictionary<string, int>(members.Length, StringComparer.Ordinal);
        for (var i = 0; i < members.Length; i++)
        {
            rankByExternalId.TryAdd(members[i].ExternalId, i);
        }

        buffer.Append(CultureInfo.InvariantCulture, $"Members ({members.Length})").AppendLine();
        WriteColumns(output, buffer, ["EMAIL", "EXTERNAL ID", "STATUS"], members, (b, m) => b.Append(Status(m)), m => m.Email, m => m.ExternalId);

        var groups = plan.Groups.OrderBy(g => g.Name, StringComparer.Ordinal).ThenBy(g => g.ExternalId, StringComparer.Ordinal).ToList();
        buffer.AppendLine();
        buffer.Append(CultureInfo.InvariantCulture, $"Groups ({groups.Count})").AppendLine();
        WriteColumns(output, buffer, ["NAME", "EXTERNAL ID", "MEMBERS"], groups, (b, g) => AppendMemberList(b, g, members, rankByExternalId),
            g => g.Name, g => g.ExternalId);

        var skipped = SkippedEntry.InReportOrder(plan.Skipped).ToList();
        buffer.AppendLine();
        buffer.Append(CultureInfo.InvariantCulture, $"Skipped ({skipped.Count})").AppendLine();
        WriteColumns(output, buffer, ["KIND", "ENTRY", "REASON"], skipped, (b, s) => b.Append(s.Reason), s => s.KindName, s => s.Entry);

        if (plan.Warnings.Count > 0)
        {
            buffer.AppendLine();
            buffer.Append(CultureInfo.InvariantCulture, $"Warnings ({plan.Warnings.Count})").AppendLine();
            foreach (var warning in plan.Warnings)
            {
                buffer.Append("  ").AppendLine(warning);
            }
        }

        buffer.AppendLine();
        buffer.AppendLine(Summary(plan, requestCount));
        output.Write(buffer);
    }

    public static string Summary(ImportPlan plan, int requestCount)
    {
        var enabled = plan.Members.Count(m => !m.Deleted && !m.Disabled);
        var disabled = plan.Members.Count(m => !m.Deleted && m.Disabled);
        var deleted = plan.Members.Count(m => m.Deleted);
        return $"{Counted(plan.Members.Count, "member")} ({enabled} enabled, {disabled} disabled, {deleted} deleted), "
            + $"{Counted(plan.Groups.Count, "group")}, {plan.Skipped.Count} skipped; {Counted(requestCount, "import request")}";
    }

    /// <summary>A group's members by email (by external id when the plan has no such member), sorted ordinally, appended
    /// to the row: 5,000 groups' lists are not each built as a string first.</summary>
    private static void AppendMemberList(StringBuilder buffer, PlannedGroup group, PlannedMember[] membersByEmail, Dictionary<string, int> rankByExternalId)
    {
        var ids = group.MemberExternalIds;
        var ranks = new int[ids.Count];
        for (var i = 0; i < ranks.Length; i++)
        {
            if (!rankByExternalId.TryGetValue(ids[i], out ranks[i]))
            {
                // Listed but not sent (a clash, an email Bitwarden cannot take): shown by external id, among the emails.
                var names = new string[ids.Count];
                for (var j = 0; j < names.Length; j++)
                {
                    names[j] = rankByExternalId.TryGetValue(ids[j], out var rank) ? membersByEmail[rank].Email : ids[j];
                }

                Array.Sort(names, StringComparer.Ordinal);
                buffer.AppendJoin(", ", names);
                return;
            }
        }

        Array.Sort(ranks);
        for (var i = 0; i < ranks.Length; i++)
        {
            buffer.Append(i == 0 ? "" : ", ").Append(membersByEmail[ranks[i]].Email);
        }
    }

    private static string Counted(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";

    private static string Status(PlannedMember member) => (member.Deleted, member.Disabled) switch
    {
        (true, true) => "deleted (disabled)",
        (true, false) => "deleted",
        (false, true) => "disabled",
        _ => "enabled",
    };

    /// <summary>Rows of padded columns; the last column is not padded (it may be long: member lists, reasons), so it
    /// is appended straight to the row.</summary>
    private static void WriteColumns<T>(TextWriter output, StringBuilder buffer, string[] headers, IReadOnlyList<T> items, Action<StringBuilder, T> appendLast, params Func<T, string>[] columns)
    {
        if (items.Count == 0)
        {
            buffer.AppendLine("  (none)");
            return;
        }

        var widths = new int[columns.Length];
        for (var i = 0; i < widths.Length; i++)
        {
            widths[i] = headers[i].Length;
            foreach (var item in items)
            {
                widths[i] = Math.Max(widths[i], columns[i](item).Length);
            }
        }

        for (var i = 0; i < widths.Length; i++)
        {
            AppendCell(buffer, headers[i], widths[i]);
        }

        buffer.Append(headers[^1]);
        EndRow(buffer);
        foreach (var item in items)
        {
            for (var i = 0; i < widths.Length; i++)
            {
                AppendCell(buffer, columns[i](item), widths[i]);
            }

            appendLast(buffer, item);
            EndRow(buffer);
            if (buffer.Length > 32 * 1024)
            {
                output.Write(buffer);
                buffer.Clear();
            }
        }
    }

    /// <summary>A cell padded to its column's width, then the two spaces between columns.</summary>
    private static void AppendCell(StringBuilder buffer, string cell, int width) => buffer.Append(cell).Append(' ', width - cell.Length + 2);

    /// <summary>Ends a row with its trailing white space trimmed.</summary>
    private static void EndRow(StringBuilder buffer)
    {
        var end = buffer.Length;
        while (end > 0 && char.IsWhiteSpace(buffer[end - 1]) && buffer[end - 1] is not '\n')
        {
            end--;
        }

        buffer.Length = end;
        buffer.AppendLine();
    }

    /// <summary>The JSON report's document: named types (not anonymous ones) so its contract can be generated.</summary>
    private sealed record JsonReport(IReadOnlyList<OrganizationImportRequest> Requests, IEnumerable<JsonSkipped> Skipped, IReadOnlyList<string> Warnings);

    private sealed record JsonSkipped(string Kind, string Entry, string Reason);

    /// <summary>Web defaults, indented, as the report has always been written; generated at compile time (Native AOT).</summary>
    [JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
    [JsonSerializable(typeof(JsonReport))]
    private sealed partial class PlanReportJsonContext : JsonSerializerContext;
}
