using k8s.Models;

namespace DirectoryConnector.Operator.Reconciliation;

/// <summary>The condition types and reasons the operator writes (kstatus: Ready primary, Reconciling and Stalled abnormal-true).</summary>
public static class Conditions
{
    public const string Ready = "Ready";
    public const string Reconciling = "Reconciling";
    public const string Stalled = "Stalled";

    /// <summary>True while the spec opts into weaker transport security (spec.allowInsecureHttp to a remote host,
    /// insecureSkipVerify); absent otherwise. A warning, not a failure: Ready is unaffected.</summary>
    public const string InsecureTransport = "InsecureTransport";

    public const string True = "True";
    public const string False = "False";
    public const string Unknown = "Unknown";

    public const string ReasonSynced = "Synced";
    public const string ReasonUpToDate = "UpToDate";
    public const string ReasonDryRun = "DryRun";
    public const string ReasonProgressing = "Progressing";
    public const string ReasonSuspended = "Suspended";
    public const string ReasonIdle = "Idle";
    public const string ReasonUnexpectedError = "UnexpectedError";
    public const string ReasonInsecureSettings = "InsecureSettings";

    /// <summary>
    /// Sets a condition, replacing the one of the same type. lastTransitionTime moves only when the status flips;
    /// a new reason or message alone keeps it. Returns true when anything changed.
    /// </summary>
    public static bool Set(IList<V1Condition> conditions, string type, string status, string reason, string message, long? observedGeneration, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(conditions);
        var existing = conditions.FirstOrDefault(c => c.Type == type);
        if (existing is null)
        {
            conditions.Add(new V1Condition
            {
                Type = type,
                Status = status,
                Reason = reason,
                Message = message,
                ObservedGeneration = observedGeneration,
                LastTransitionTime = Truncate(now),
            });
            return true;
        }

        var changed = false;
        if (existing.Status != status)
        {
            existing.Status = status;
            existing.LastTransitionTime = Truncate(now);
            changed = true;
        }

        if (existing.Reason != reason)
        {
            existing.Reason = reason;
            changed = true;
        }

        if (existing.Message != message)
        {
            existing.Message = message;
            changed = true;
        }

        if (existing.ObservedGeneration != observedGeneration)
        {
            existing.ObservedGeneration = observedGeneration;
            changed = true;
        }

        return changed;
    }

    public static V1Condition? Find(IEnumerable<V1Condition>? conditions, string type)
        => conditions?.FirstOrDefault(c => c.Type == type);

    public static bool IsTrue(IEnumerable<V1Condition>? conditions, string type)
        => Find(conditions, type)?.Status == True;

    /// <summary>Kubernetes times have second precision; truncating keeps status comparisons stable across round trips.</summary>
    public static DateTime Truncate(DateTime time)
    {
        var utc = time.Kind == DateTimeKind.Utc ? time : time.ToUniversalTime();
        return new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
    }
}
