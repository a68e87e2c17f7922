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

    public static void WriteTable(SyncOutcome outcome, TextWriter output)
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
        WriteColumns(output, buffer, ["EMAIL", "EXTERNAL ID", "STATUS"], members, m => m.Email, m => m.ExternalId, Status);

        var groups = plan.Groups.OrderBy(g => g.Name, StringComparer.Ordinal).ThenBy(g => g.ExternalId, StringComparer.Ordinal).ToList();
        buffer.AppendLine();
        buffer.Append(CultureInfo.InvariantCulture, $"Groups ({groups.Count})").AppendLine();
        WriteColumns(output, buffer, ["NAME", "EXTERNAL ID", "MEMBERS"], groups, g => g.Name, g => g.ExternalId,
            g => MemberList(g, members, rankByExternalId));

        var skipped = SkippedEntry.InReportOrder(plan.Skipped).ToList();
        buffer.AppendLine();
        buffer.Append(CultureInfo.InvariantCulture, $"Skipped ({skipped.Count})").AppendLine();
        WriteColumns(output, buffer, ["KIND", "ENTRY", "REASON"], skipped, s => s.KindName, s => s.Entry, s => s.Reason);

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
        buffer.AppendLine(Summary(plan, outcome.Requests.Count));
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

    /// <summary>A group's members by email (by external id when the plan has no such member), sorted ordinally.</summary>
    private static string MemberList(PlannedGroup group, PlannedMember[] membersByEmail, Dictionary<string, int> rankByExternalId)
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
                return string.Join(", ", names);
            }
        }

        Array.Sort(ranks);
        var list = new StringBuilder(ranks.Length * 32);
        for (var i = 0; i < ranks.Length; i++)
        {
            list.Append(i == 0 ? "" : ", ").Append(membersByEmail[ranks[i]].Email);
        }

        return list.ToString();
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
    /// is computed once per row as the row is written.</summary>
    private static void WriteColumns<T>(TextWriter output, StringBuilder buffer, string[] headers, IReadOnlyList<T> items, params Func<T, string>[] columns)
    {
        if (items.Count == 0)
        {
            buffer.AppendLine("  (none)");
            return;
        }

        var widths = new int[headers.Length - 1];
        for (var i = 0; i < widths.Length; i++)
        {
            widths[i] = headers[i].Length;
            foreach (var item in items)
            {
                widths[i] = Math.Max(widths[i], columns[i](item).Length);
            }
        }

        AppendRow(buffer, widths, headers[^1], headers);
        foreach (var item in items)
        {
            AppendRow(buffer, widths, columns[^1](item), Cells(item, columns, widths.Length));
            if (buffer.Length > 32 * 1024)
            {
                output.Write(buffer);
                buffer.Clear();
            }
        }
    }

    private static string[] Cells<T>(T item, Func<T, string>[] columns, int count)
    {
        var cells = new string[count];
        for (var i = 0; i < count; i++)
        {
            cells[i] = columns[i](item);
        }

        return cells;
    }

    /// <summary>The padded cells, two spaces apart, then the last one; trailing white space trimmed.</summary>
    private static void AppendRow(StringBuilder buffer, int[] widths, string last, string[] cells)
    {
        for (var i = 0; i < widths.Length; i++)
        {
            buffer.Append(cells[i]).Append(' ', widths[i] - cells[i].Length + 2);
        }

        buffer.Append(last);
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
