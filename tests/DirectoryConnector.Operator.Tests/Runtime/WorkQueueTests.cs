using System.Collections.Concurrent;
using DirectoryConnector.Operator.Runtime;
using FluentAssertions;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace DirectoryConnector.Operator.Tests.Runtime;

public sealed class WorkQueueTests
{
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(10);

    private static WorkQueue NewQueue() => new(TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(1));

    [Fact]
    public async Task ADelayedAddFiresWhenTheInjectedClockReachesItsDueTimeAndNotBeforeHoweverAnAdvanceRacesTheTimer()
    {
        // Each round advances the clock while the queue's delay loop may be arming its timer (from a `now` read just
        // before): a timer armed late would otherwise count its minute from the moved clock and never fire here.
        for (var round = 0; round < 100; round++)
        {
            var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
            using var queue = new WorkQueue(TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(1), clock);
            queue.AddAfter("ns/a", TimeSpan.FromMinutes(1));
            clock.Advance(TimeSpan.FromSeconds(59));
            queue.Depth.Should().Be(0, "the key is not due yet");

            clock.Advance(TimeSpan.FromSeconds(1));
            (await queue.GetAsync(CancellationToken.None).WaitAsync(Bounded)).Should().Be("ns/a");
        }
    }

    [Fact]
    public async Task AKeyAddedTwiceBeforeItIsTakenIsHandedOutOnce()
    {
        using var queue = NewQueue();
        queue.Add("ns/a");
        queue.Add("ns/a");
        queue.Add("ns/b");

        queue.Depth.Should().Be(2);
        (await queue.GetAsync(CancellationToken.None)).Should().Be("ns/a");
        (await queue.GetAsync(CancellationToken.None)).Should().Be("ns/b");
        queue.Depth.Should().Be(0);
    }

    [Fact]
    public async Task AKeyAddedWhileProcessingWaitsForDoneAndIsThenProcessedOnceMore()
    {
        using var queue = NewQueue();
        queue.Add("ns/a");
        var key = await queue.GetAsync(CancellationToken.None);
        queue.Add("ns/a");
        queue.Add("ns/a");

        queue.Depth.Should().Be(0, "a key being processed is never handed to a second worker");
        using var noSecondWorker = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var act = () => queue.GetAsync(noSecondWorker.Token);
        await act.Should().ThrowAsync<OperationCanceledException>();

        queue.Done(key);
        queue.Depth.Should().Be(1);
        (await queue.GetAsync(CancellationToken.None)).Should().Be("ns/a");
    }

    [Fact]
    public async Task TheEarliestDelayedAddWinsWhicheverOrderTheyComeIn()
    {
        using var queue = NewQueue();
        queue.AddAfter("ns/late-first", TimeSpan.FromHours(1));
        queue.AddAfter("ns/late-first", TimeSpan.FromMilliseconds(50));
        queue.AddAfter("ns/soon-first", TimeSpan.FromMilliseconds(50));
        queue.AddAfter("ns/soon-first", TimeSpan.FromHours(1));

        using var timeout = new CancellationTokenSource(Bounded);
        var keys = new[] { await queue.GetAsync(timeout.Token), await queue.GetAsync(timeout.Token) };
        keys.Should().BeEquivalentTo("ns/late-first", "ns/soon-first");
    }

    [Fact]
    public async Task ADelayedAddIsNotHandedOutBeforeItIsDue()
    {
        using var queue = NewQueue();
        queue.AddAfter("ns/a", TimeSpan.FromHours(1));
        using var shortWait = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var act = () => queue.GetAsync(shortWait.Token);
        await act.Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public void BackoffDoublesPerFailureUpToTheCapAndForgetResetsIt()
    {
        using var queue = new WorkQueue(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        var delays = Enumerable.Range(0, 7).Select(_ => queue.AddRateLimited("ns/a")).ToList();

        delays.Should().Equal(
            TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8),
            TimeSpan.FromSeconds(16), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
        queue.NumRequeues("ns/a").Should().Be(7);
        queue.AddRateLimited("ns/b").Should().Be(TimeSpan.FromSeconds(1), "backoff is per key");

        queue.Forget("ns/a");
        queue.NumRequeues("ns/a").Should().Be(0);
        queue.AddRateLimited("ns/a").Should().Be(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void BackoffAfterVeryManyFailuresStaysAtTheCap()
    {
        using var queue = new WorkQueue(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));
        queue.BackoffFor(10_000).Should().Be(TimeSpan.FromMinutes(5));
    }

    [Fact]
    public async Task ARateLimitedKeyComesBackAfterItsBackoff()
    {
        using var queue = NewQueue();
        queue.AddRateLimited("ns/a");
        using var timeout = new CancellationTokenSource(Bounded);
        (await queue.GetAsync(timeout.Token)).Should().Be("ns/a");
    }

    [Fact]
    public async Task UnderConcurrencyNoKeyIsLostAndNoKeyIsProcessedByTwoWorkersAtOnce()
    {
        using var queue = NewQueue();
        const int keys = 40;
        var inFlight = new ConcurrentDictionary<string, int>();
        var overlaps = 0;
        var processedAfterLastAdd = new ConcurrentDictionary<string, bool>();
        var lastAddDone = new ConcurrentDictionary<string, bool>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                string key;
                try
                {
                    key = await queue.GetAsync(stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                if (inFlight.AddOrUpdate(key, 1, (_, n) => n + 1) > 1)
                {
                    Interlocked.Increment(ref overlaps);
                }

                // Everything added before this point is covered by this processing.
                var covered = lastAddDone.ContainsKey(key);
                await Task.Yield();
                inFlight.AddOrUpdate(key, 0, (_, n) => n - 1);
                if (covered)
                {
                    processedAfterLastAdd[key] = true;
                }

                queue.Done(key);
            }
        })).ToList();

        var producers = Enumerable.Range(0, 4).Select(p => Task.Run(() =>
        {
            for (var round = 0; round < 200; round++)
            {
                queue.Add($"ns/k{(round + p) % keys}");
            }
        })).ToList();
        await Task.WhenAll(producers);
        for (var i = 0; i < keys; i++)
        {
            lastAddDone[$"ns/k{i}"] = true;
            queue.Add($"ns/k{i}");
        }

        while (processedAfterLastAdd.Count < keys && !stop.IsCancellationRequested)
        {
            await Task.Delay(20);
        }

        await stop.CancelAsync();
        await Task.WhenAll(workers);
        overlaps.Should().Be(0);
        processedAfterLastAdd.Keys.Should().HaveCount(keys, "every key added is processed after its last add");
    }
}
