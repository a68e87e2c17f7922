using System.Collections.Concurrent;
using DirectoryConnector.Operator.Runtime;
using FluentAssertions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace DirectoryConnector.Operator.Tests.Runtime;

/// <summary>
/// The operator's memory goes back to the OS once a burst of syncs is over: one release per burst, after the controller
/// has been idle for the quiet period, never while it works and never while nothing happened.
/// </summary>
public sealed class IdleMemoryReleaseTests : IDisposable
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(10);
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider clock = new(Start);
    private readonly CancellationTokenSource stop = new();
    private readonly ConcurrentQueue<DateTimeOffset> releases = new();
    private readonly SemaphoreSlim released = new(0);

    public void Dispose()
    {
        stop.Cancel();
        stop.Dispose();
        released.Dispose();
    }

    [Fact]
    public async Task ABurstIsReleasedOnceWhenTheQuietPeriodHasPassedSinceItEndedAndAgainAfterTheNextBurst()
    {
        var idle = NewRelease();
        var run = idle.RunAsync(() => true, stop.Token);

        idle.WentIdle();
        clock.Advance(TimeSpan.FromSeconds(9));
        clock.Advance(TimeSpan.FromSeconds(1));
        await WaitForReleaseAsync();

        clock.Advance(TimeSpan.FromMinutes(5));
        idle.WentIdle();
        clock.Advance(Quiet);
        await WaitForReleaseAsync();

        releases.Should().Equal([Start + Quiet, Start + TimeSpan.FromMinutes(5) + Quiet + Quiet],
            "each burst is released once, a quiet period after it ended; the idle minutes in between release nothing");
        await StopAsync(run);
    }

    [Fact]
    public async Task WorkEndingDuringTheQuietPeriodPostponesTheReleaseToAQuietPeriodAfterIt()
    {
        var idle = NewRelease();
        var run = idle.RunAsync(() => true, stop.Token);

        idle.WentIdle();
        clock.Advance(TimeSpan.FromSeconds(6));
        idle.WentIdle();
        clock.Advance(TimeSpan.FromSeconds(4));
        clock.Advance(TimeSpan.FromSeconds(6));
        await WaitForReleaseAsync();

        releases.Should().Equal([Start + TimeSpan.FromSeconds(16)]);
        await StopAsync(run);
    }

    [Fact]
    public async Task AControllerStillBusyWhenTheQuietPeriodEndsIsNotCollectedUntilItsWorkEnds()
    {
        var idle = NewRelease();
        var busy = true;
        using var checkedIdle = new SemaphoreSlim(0);
        var run = idle.RunAsync(() => { var result = !Volatile.Read(ref busy); checkedIdle.Release(); return result; }, stop.Token);

        idle.WentIdle();
        clock.Advance(Quiet);
        (await checkedIdle.WaitAsync(Bounded)).Should().BeTrue("the quiet period ended, so the controller is looked at");
        clock.Advance(TimeSpan.FromMinutes(1));

        Volatile.Write(ref busy, false);
        idle.WentIdle();
        clock.Advance(Quiet);
        await WaitForReleaseAsync();

        releases.Should().Equal([Start + TimeSpan.FromMinutes(1) + Quiet + Quiet], "nothing is collected while a sync runs");
        await StopAsync(run);
    }

    [Fact]
    public async Task TheControllerSignalsWhenItsQueueDrainsSoTheBurstIsReleasedAQuietPeriodAfterTheLastReconcile()
    {
        using var queue = new WorkQueue(TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(1), clock);
        var reconciled = new ConcurrentQueue<string>();
        var controller = new Controller(queue, (key, _) =>
        {
            reconciled.Enqueue(key);
            return Task.FromResult(ReconcileResult.Done);
        }, concurrency: 2, new OperatorMetrics(), NullLogger.Instance, NewRelease());
        queue.Add("ns/a");
        queue.Add("ns/b");
        queue.Add("ns/c");
        var run = controller.RunAsync(stop.Token);

        // The drain is signalled from a worker thread: step the clock until the release, a bounded number of times.
        for (var step = 0; step < 60 && releases.IsEmpty; step++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            await released.WaitAsync(TimeSpan.FromMilliseconds(50));
        }

        reconciled.Should().BeEquivalentTo(["ns/a", "ns/b", "ns/c"]);
        releases.Should().ContainSingle("three keys drained in one burst are one release")
            .Which.Should().BeOnOrAfter(Start + Quiet, "the release waits a quiet period after the burst");
        await StopAsync(run);
    }

    private IdleMemoryRelease NewRelease() => new(Quiet, clock, () =>
    {
        releases.Enqueue(clock.GetUtcNow());
        released.Release();
    });

    private async Task WaitForReleaseAsync() => (await released.WaitAsync(Bounded)).Should().BeTrue("a release was due");

    private async Task StopAsync(Task run)
    {
        await stop.CancelAsync();
        await run.WaitAsync(Bounded);
    }
}
