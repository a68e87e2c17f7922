using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace DirectoryConnector.Engine.Bitwarden;

/// <summary>
/// The request budget of one process (all DirectorySyncs of an operator, or a CLI run) towards each Bitwarden server,
/// so many organizations behind one egress address are not throttled. The Bitwarden cloud counts per client IP
/// (AspNetCoreRateLimit rules of src/Api and src/Identity appsettings.json, bitwarden-api.md §1.8): API POSTs 5 per
/// second and 60 per minute, GETs 200 per minute; token requests 10 per minute. Other writes (DELETE, PUT) share the POST
/// budget. Every try waits for its permit (retries included), outside the try's timeout, and the wait is cancellable.
/// Self-hosted servers, which have no limit, are not paced unless <see cref="BitwardenClientOptions.PaceEveryServer"/>.
/// </summary>
/// <remarks>
/// System.Threading.RateLimiting throughout: a chain (PartitionedRateLimiter.CreateChained) of the per-minute and the
/// per-second sliding windows, partitioned by server and budget, whose windows hold a permit longer than the server's
/// (62 s for a minute, 1.1 s for a second), so no server-side window, sliding or fixed, sees more than the limit. The
/// chain is taken one request at a time per partition (a ConcurrencyLimiter of 1, released once the chain is taken), so
/// waiting for the per-second window ages a per-minute permit by ~1 s at most. A limit of 0 or less turns that window off.
/// </remarks>
public sealed class BitwardenRequestLimiter : PartitionedRateLimiter<HttpRequestMessage>
{
    private readonly PartitionedRateLimiter<HttpRequestMessage> windows;
    private readonly PartitionedRateLimiter<HttpRequestMessage> turns;

    public BitwardenRequestLimiter(IOptions<BitwardenClientOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        windows = PartitionedRateLimiter.CreateChained(
            PartitionedRateLimiter.Create<HttpRequestMessage, Partition>(request => Window(PartitionOf(request, settings), TimeSpan.FromSeconds(1), 63, partition => partition.Budget switch
            {
                Budget.Token => settings.TokenRequestsPerMinute,
                Budget.Read => settings.GetsPerMinute,
                _ => settings.PostsPerMinute,
            })),
            PartitionedRateLimiter.Create<HttpRequestMessage, Partition>(request => Window(PartitionOf(request, settings), TimeSpan.FromMilliseconds(100), 12,
                partition => partition.Budget == Budget.Read ? 0 : settings.PostsPerSecond)));
        turns = PartitionedRateLimiter.Create<HttpRequestMessage, Partition>(request => PartitionOf(request, settings) is var partition && partition.Budget == Budget.None
            ? RateLimitPartition.GetNoLimiter(partition)
            : RateLimitPartition.GetConcurrencyLimiter(partition, _ => new ConcurrencyLimiterOptions { PermitLimit = 1, QueueLimit = int.MaxValue, QueueProcessingOrder = QueueProcessingOrder.OldestFirst }));
    }

    private enum Budget
    {
        None,
        Token,
        Write,
        Read,
    }

    public override RateLimiterStatistics? GetStatistics(HttpRequestMessage resource) => windows.GetStatistics(resource);

    protected override RateLimitLease AttemptAcquireCore(HttpRequestMessage resource, int permitCount)
    {
        using var turn = turns.AttemptAcquire(resource);
        // Without waiting: only if every window has room now (a window taken before a refusal stays taken).
        return turn.IsAcquired ? windows.AttemptAcquire(resource, permitCount) : turn;
    }

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(HttpRequestMessage resource, int permitCount, CancellationToken cancellationToken)
    {
        using var turn = await turns.AcquireAsync(resource, 1, cancellationToken).ConfigureAwait(false);
        return await windows.AcquireAsync(resource, permitCount, cancellationToken).ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            windows.Dispose();
            turns.Dispose();
        }

        base.Dispose(disposing);
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await windows.DisposeAsync().ConfigureAwait(false);
        await turns.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsyncCore().ConfigureAwait(false);
    }

    /// <summary>The server (scheme, host and port) and the budget a request counts against; <see cref="Budget.None"/> when not paced.</summary>
    private static Partition PartitionOf(HttpRequestMessage request, BitwardenClientOptions options)
    {
        var url = request.RequestUri ?? throw new ArgumentException("The request has no URL.", nameof(request));
        if (!options.PaceEveryServer && !IsCloud(url))
        {
            return new Partition("", Budget.None);
        }

        var budget = request.Method == HttpMethod.Post && url.AbsolutePath.EndsWith("/connect/token", StringComparison.Ordinal) ? Budget.Token
            : request.Method == HttpMethod.Get || request.Method == HttpMethod.Head ? Budget.Read
            : Budget.Write;
        return new Partition(url.GetLeftPart(UriPartial.Authority), budget);
    }

    private static bool IsCloud(Uri url) =>
        url.Host.EndsWith(".bitwarden.com", StringComparison.OrdinalIgnoreCase) || url.Host.EndsWith(".bitwarden.eu", StringComparison.OrdinalIgnoreCase);

    // A permit taken in a segment is free again once the window has moved past that segment: after at least
    // (segments - 1) segments. Per minute: 1 s segments, free after 62 s, so the per-second wait (at most ~1.2 s) taken
    // after it still leaves the server's minute behind. Per second: 100 ms segments, free after 1.1 s.
    private static RateLimitPartition<Partition> Window(Partition partition, TimeSpan segment, int segments, Func<Partition, int> limitOf)
        => partition.Budget == Budget.None || limitOf(partition) is var limit && limit <= 0
            ? RateLimitPartition.GetNoLimiter(partition)
            : RateLimitPartition.GetSlidingWindowLimiter(partition, _ => new SlidingWindowRateLimiterOptions
            {
                PermitLimit = limit,
                Window = segment * segments,
                SegmentsPerWindow = segments,
                QueueLimit = int.MaxValue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });

    private readonly record struct Partition(string Server, Budget Budget);
}
