using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace DirectoryConnector.Operator.Reconciliation;

/// <summary>
/// Spreads the syncs that fall due when an operator starts (a restart, a new leader) over a window, instead of sending
/// every DirectorySync to its sources and to Bitwarden at once: a DirectorySync whose sync is due only because it never
/// ran, its interval elapsed or it is retrying waits until <c>start + offset</c>. The offset is deterministic per object
/// (SHA-256 of its uid, as a fraction of the window), so restarts do not reshuffle it, and the window is
/// <c>min(interval, maxSpread, DirectorySyncs × <see cref="PerObject"/>)</c>: one DirectorySync waits at most a second.
/// A change (spec, Secret, sync-requested-at) is never held, nor is anything after the window.
/// </summary>
public sealed class StartupJitter(DateTimeOffset start, TimeSpan spread)
{
    /// <summary>Window per DirectorySync known at start: 500 of them spread over 500 s (within the cap).</summary>
    public static readonly TimeSpan PerObject = TimeSpan.FromSeconds(1);

    /// <summary>Holds nothing.</summary>
    public static StartupJitter None { get; } = new(DateTimeOffset.MinValue, TimeSpan.Zero);

    public DateTimeOffset Start => start;

    public TimeSpan Spread => spread;

    /// <summary>The jitter of a term that starts at <paramref name="start"/> with <paramref name="objects"/> DirectorySyncs.</summary>
    public static StartupJitter For(DateTimeOffset start, int objects, TimeSpan maxSpread)
    {
        var spread = TimeSpan.FromTicks(Math.Min(maxSpread.Ticks, PerObject.Ticks * Math.Max(0, objects)));
        return new StartupJitter(start, spread > TimeSpan.Zero ? spread : TimeSpan.Zero);
    }

    /// <summary>The object's offset within <c>min(spread, interval)</c>, from its uid (the name when it has none).</summary>
    public TimeSpan Offset(string identity, TimeSpan interval)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var window = Math.Min(spread.Ticks, interval.Ticks);
        if (window <= 0)
        {
            return TimeSpan.Zero;
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(identity));
        var fraction = BinaryPrimitives.ReadUInt64BigEndian(hash) / (ulong.MaxValue + 1.0);
        return TimeSpan.FromTicks((long)(fraction * window));
    }

    /// <summary>When a sync that is due now for <paramref name="trigger"/> may start, or null when it may start now.</summary>
    public DateTimeOffset? HoldUntil(SyncTrigger trigger, string identity, TimeSpan interval, DateTimeOffset now)
    {
        if (trigger is not (SyncTrigger.NeverSynced or SyncTrigger.IntervalElapsed or SyncTrigger.RetryAfterFailure))
        {
            return null;
        }

        var at = start + Offset(identity, interval);
        return at > now ? at : null;
    }
}
