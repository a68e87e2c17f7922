using System.Text.Json;
using DirectoryConnector.Engine.Planning;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sync;

namespace DirectoryConnector.Cli.Output;

/// <summary>Prints what a sync would send: a table for people, or the exact import requests as JSON.</summary>
internal static class PlanReport
{
    internal static readonly JsonSerializerOptions RequestJsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>{"requests": [the exact import requests], "skipped": [{"kind","entry","reason"}], "warnings": ["…"]}:
    /// every entry left out is named with its reason, as in the table.</summary>
    public static void WriteJson(SyncOutcome outcome, TextWriter output)
    {
        var plan = outcome.Plan ?? throw new InvalidOperationException("A preview always reads the whole directory.");
        output.WriteLine(JsonSerializer.Serialize(new
        {
            requests = outcome.Requests,
            skipped = SkippedEntry.InReportOrder(plan.Skipped).Select(s => new { kind = s.KindName, entry = s.Entry, reason = s.Reason }),
            warnings = plan.Warnings,
        }, RequestJsonOptions));
    }

    public static void WriteTable(SyncOutcome outcome, TextWriter output)
    {
        var plan = outcome.Plan ?? throw new InvalidOperationException("A preview always reads the whole directory.");
        var emailsByExternalId = plan.Members
            .GroupBy(m => m.ExternalId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Email, StringComparer.Ordinal);

        var members = plan.Members.OrderBy(m => m.Email, StringComparer.Ordinal).ToList();
        output.WriteLine($"Members ({members.Count})");
        WriteColumns(output, ["EMAIL", "EXTERNAL ID", "STATUS"], members.Select(m => new[] { m.Email, m.ExternalId, Status(m) }));

        var groups = plan.Groups.OrderBy(g => g.Name, StringComparer.Ordinal).ThenBy(g => g.ExternalId, StringComparer.Ordinal).ToList();
        output.WriteLine();
        output.WriteLine($"Groups ({groups.Count})");
        WriteColumns(output, ["NAME", "EXTERNAL ID", "MEMBERS"], groups.Select(g => new[]
        {
            g.Name,
            g.ExternalId,
            string.Join(", ", g.MemberExternalIds
                .Select(id => emailsByExternalId.TryGetValue(id, out var email) ? email : id)
                .Order(StringComparer.Ordinal)),
        }));

        var skipped = SkippedEntry.InReportOrder(plan.Skipped).ToList();
        output.WriteLine();
        output.WriteLine($"Skipped ({skipped.Count})");
        WriteColumns(output, ["KIND", "ENTRY", "REASON"], skipped.Select(s => new[] { s.KindName, s.Entry, s.Reason }));

        if (plan.Warnings.Count > 0)
        {
            output.WriteLine();
            output.WriteLine($"Warnings ({plan.Warnings.Count})");
            foreach (var warning in plan.Warnings)
            {
                output.WriteLine($"  {warning}");
            }
        }

        output.WriteLine();
        output.WriteLine(Summary(plan, outcome.Requests.Count));
    }

    public static string Summary(ImportPlan plan, int requestCount)
    {
        var enabled = plan.Members.Count(m => !m.Deleted && !m.Disabled);
        var disabled = plan.Members.Count(m => !m.Deleted && m.Disabled);
        var deleted = plan.Members.Count(m => m.Deleted);
        return $"{plan.Members.Count} members ({enabled} enabled, {disabled} disabled, {deleted} deleted), "
            + $"{plan.Groups.Count} groups, {plan.Skipped.Count} skipped; {requestCount} import request(s)";
    }

    private static string Status(PlannedMember member) => (member.Deleted, member.Disabled) switch
    {
        (true, true) => "deleted (disabled)",
        (true, false) => "deleted",
        (false, true) => "disabled",
        _ => "enabled",
    };

    private static void WriteColumns(TextWriter output, string[] headers, IEnumerable<string[]> rows)
    {
        var all = rows.ToList();
        if (all.Count == 0)
        {
            output.WriteLine("  (none)");
            return;
        }

        // The last column is not padded: it may be long (member lists, reasons).
        var widths = headers.Select((h, i) => Math.Max(h.Length, all.Max(r => r[i].Length))).ToArray();
        WriteRow(output, headers, widths);
        foreach (var row in all)
        {
            WriteRow(output, row, widths);
        }
    }

    private static void WriteRow(TextWriter output, string[] cells, int[] widths)
    {
        var line = string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i])));
        output.WriteLine(line.TrimEnd());
    }
}
