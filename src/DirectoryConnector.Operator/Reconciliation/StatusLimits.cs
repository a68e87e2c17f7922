using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using DirectoryConnector.Operator.Resources;

namespace DirectoryConnector.Operator.Reconciliation;

/// <summary>
/// Keeps what a sync reports in status small however much it has to report (the whole object must stay far below
/// etcd's 1.5 MiB request limit, and every status write sends it): every list of strings in the status, at any depth,
/// keeps at most <see cref="MaxEntries"/> entries of at most <see cref="MaxEntryLength"/> characters, and a condition
/// message at most <see cref="MaxMessageLength"/> (metav1.Condition allows 32768). It walks the status type, so a list
/// added later is bounded too. The full story is in events and the operator logs.
/// </summary>
public static class StatusLimits
{
    public const int MaxEntries = DirectorySyncReconciler.SampleSize;
    public const int MaxEntryLength = 512;
    public const int MaxMessageLength = 4096;
    private const string Cut = "… (truncated)";

    public static void Apply(DirectorySyncStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        foreach (var condition in status.Conditions ?? [])
        {
            condition.Message = Shorten(condition.Message, MaxMessageLength);
        }

        Bound(status);
    }

    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "The walk only meets DirectorySyncStatus and the "
        + "types of its properties in the same namespace, in DirectoryConnector.Operator, an assembly the AOT publish roots "
        + "(TrimmerRootAssembly), so their public properties are kept.")]
    private static void Bound(object value)
    {
        foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (!property.CanRead || property.GetIndexParameters().Length > 0)
            {
                continue;
            }

            var type = property.PropertyType;
            if (typeof(IList<string>).IsAssignableFrom(type) && property.GetValue(value) is IList<string> list)
            {
                var bounded = list.Take(MaxEntries).Select(entry => Shorten(entry, MaxEntryLength)!).ToList();
                if (property.CanWrite)
                {
                    property.SetValue(value, bounded);
                }
                else
                {
                    list.Clear();
                    bounded.ForEach(list.Add);
                }
            }
            else if (type.IsClass && type != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(type) && type.Namespace == typeof(DirectorySyncStatus).Namespace
                     && property.GetValue(value) is { } nested)
            {
                Bound(nested);
            }
        }
    }

    private static string? Shorten(string? text, int max) =>
        text is null || text.Length <= max ? text : string.Concat(text.AsSpan(0, max - Cut.Length), Cut);
}
