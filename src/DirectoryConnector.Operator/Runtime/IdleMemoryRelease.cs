using System.Threading.Channels;

namespace DirectoryConnector.Operator.Runtime;

/// <summary>
/// Gives the memory a burst of reconciles used back to the operating system once the controller has been idle for
/// <c>quietPeriod</c>: one full, compacting, decommitting ("aggressive") collection per burst. The GC otherwise keeps
/// the burst's regions committed for the next burst — about 30 MiB of resident memory with 500 DirectorySyncs, which
/// would then sit idle for the whole interval (issue 13: idle under 150 MiB). An operator with nothing to do collects
/// nothing, so idle CPU stays near zero.
/// </summary>
/// <param name="quietPeriod">How long the controller must stay idle (nothing queued, nothing running) before the release.</param>
/// <param name="time">The clock the quiet period runs on.</param>
/// <param name="release">The release itself; <see cref="CollectAggressively"/> in the operator.</param>
public sealed class IdleMemoryRelease(TimeSpan quietPeriod, TimeProvider time, Action release)
{
    // One pending signal at most: bursts that end before the release are covered by it.
    private readonly Channel<bool> wentIdle = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private long lastIdleTicks;

    /// <summary>The GC's aggressive mode: a blocking, compacting full collection that also decommits free regions.</summary>
    public static void CollectAggressively() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

    /// <summary>Called when a reconcile finished and the controller has nothing else queued or running.</summary>
    public void WentIdle()
    {
        Interlocked.Exchange(ref lastIdleTicks, time.GetUtcNow().UtcTicks);
        wentIdle.Writer.TryWrite(true);
    }

    /// <summary>
    /// Releases memory <c>quietPeriod</c> after the last <see cref="WentIdle"/>, if <paramref name="isIdle"/> still holds
    /// then; if work is running then, its own end signals again.
    /// </summary>
    public async Task RunAsync(Func<bool> isIdle, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await wentIdle.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                // Counted from the signal, not from this wake-up, which may come late.
                TimeSpan wait;
                while ((wait = new DateTimeOffset(Interlocked.Read(ref lastIdleTicks), TimeSpan.Zero) + quietPeriod - time.GetUtcNow()) > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
                }

                if (isIdle())
                {
                    // Bursts that ended during the quiet period are covered by this release.
                    wentIdle.Reader.TryRead(out _);
                    release();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
