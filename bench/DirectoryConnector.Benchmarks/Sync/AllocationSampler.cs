using System.Diagnostics.Tracing;
using System.Globalization;
using System.Text;

namespace DirectoryConnector.Benchmarks.Sync;

/// <summary>
/// Which types a step allocates, sampled in-process from the runtime's GCAllocationTick events (one about every
/// 100 KB allocated, naming the type whose allocation crossed the mark): proportional to the bytes allocated per type.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly Dictionary<string, long> bytesByType = new(StringComparer.Ordinal);
    private bool recording;

    public void Start()
    {
        lock (bytesByType)
        {
            bytesByType.Clear();
            recording = true;
        }
    }

    /// <summary>The <paramref name="top"/> types by sampled bytes, one line each.</summary>
    public string Stop(int top = 10)
    {
        lock (bytesByType)
        {
            recording = false;
            var total = Math.Max(1, bytesByType.Values.Sum());
            var text = new StringBuilder();
            foreach (var (type, bytes) in bytesByType.OrderByDescending(pair => pair.Value).Take(top))
            {
                text.Append(CultureInfo.InvariantCulture, $"\n   {bytes / 1048576.0,7:0} MiB {100.0 * bytes / total,3:0}%  {type}");
            }

            return text.ToString();
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == RuntimeSource)
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || eventData.PayloadNames is not { } names || eventData.Payload is not { } payload)
        {
            return;
        }

        var typeIndex = names.IndexOf("TypeName");
        var amountIndex = names.IndexOf("AllocationAmount64");
        if (typeIndex < 0 || amountIndex < 0)
        {
            return;
        }

        var type = payload[typeIndex] as string ?? "?";
        var amount = Convert.ToInt64(payload[amountIndex], CultureInfo.InvariantCulture);
        lock (bytesByType)
        {
            if (recording)
            {
                bytesByType[type] = bytesByType.GetValueOrDefault(type) + amount;
            }
        }
    }
}
