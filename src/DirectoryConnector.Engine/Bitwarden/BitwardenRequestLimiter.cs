using System.Collections.Concurrent;
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
/// Built on System.Threading.RateLimiting sliding windows that hold a permit longer than the server's window (62 s for a
/// minute, 1.1 s for a second), so no server-side window, sliding or fixed, sees more than the limit; the permits of one
/// budget are taken one request at a time, so waiting for the per-second window ages a per-minute permit by ~1 s at most.
/// A limit of 0 or less turns that window off.
/// </remarks>
public sealed class BitwardenRequestLimiter : PartitionedRateLimiter<HttpRequestMessage>
{
    private readonly BitwardenClientOptions options;
    private readonly ConcurrentDictionary<(string Server, Budget Budget), Partition> partitions = new();
    private bool disposed;

    public BitwardenRequestLimiter(IOptions<BitwardenClientOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options.Value;
    }

    private enum Budget
    {
        Token,
        Write,
        Read,
    }

    public override RateLimiterStatistics? GetStatistics(HttpRequestMessage resource) => null;

    protected override RateLimitLease AttemptAcquireCore(HttpRequestMessage resource, int permitCount) =>
        PartitionOf(resource).AttemptAcquire(permitCount);

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(HttpRequestMessage resource, int permitCount, CancellationToken cancellationToken) =>
        PartitionOf(resource).AcquireAsync(permitCount, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing && !disposed)
        {
            disposed = true;
            foreach (var partition in partitions.Values)
            {
                partition.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    private Partition PartitionOf(HttpRequestMessage request)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var url = request.RequestUri ?? throw new ArgumentException("The request has no URL.", nameof(request));
        if (!options.PaceEveryServer && !IsCloud(url))
        {
            return Unlimited;
        }

        var budget = request.Method == HttpMethod.Post && url.AbsolutePath.EndsWith("/connect/token", StringComparison.Ordinal) ? Budget.Token
            : request.Method == HttpMethod.Get || request.Method == HttpMethod.Head ? Budget.Read
            : Budget.Write;
        return partitions.GetOrAdd((url.GetLeftPart(UriPartial.Authority), budget), key => new Partition(key.Budget switch
        {
            Budget.Token => [PerMinute(options.TokenRequestsPerMinute), PerSecond(options.PostsPerSecond)],
            Budget.Read => [PerMinute(options.GetsPerMinute)],
            _ => [PerMinute(options.PostsPerMinute), PerSecond(options.PostsPerSecond)],
        }));
    }

    private static readonly Partition Unlimited = new([]);

    private static bool IsCloud(Uri url) =>
        url.Host.EndsWith(".bitwarden.com", StringComparison.OrdinalIgnoreCase) || url.Host.EndsWith(".bitwarden.eu", StringComparison.OrdinalIgnoreCase);

    // A permit taken in a segment is free again once the window has moved past that segment: after at least
    // (segments - 1) segments. Per minute: 1 s segments, free after 62 s, so the per-second wait (at most ~1.2 s) taken
    // after it still leaves the server's minute behind. Per second: 100 ms segments, free after 1.1 s.
    private static SlidingWindowRateLimiter? PerMinute(int limit) => Window(limit, TimeSpan.FromSeconds(1), 63);

    private static SlidingWindowRateLimiter? PerSecond(int limit) => Window(limit, TimeSpan.FromMilliseconds(100), 12);

    private static SlidingWindowRateLimiter? Window(int limit, TimeSpan segment, int segments)
    {
        if (limit <= 0)
        {
            return null;
        }

        return new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
        {
            PermitLimit = limit,
            Window = segment * segments,
            SegmentsPerWindow = segments,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    /// <summary>One budget of one server: its windows, taken in order by one request at a time.</summary>
    private sealed class Partition(RateLimiter?[] windows) : IDisposable
    {
        private readonly RateLimiter[] windows = [.. windows.OfType<RateLimiter>()];
        private readonly ConcurrencyLimiter turn = new(new ConcurrencyLimiterOptions { PermitLimit = 1, QueueLimit = int.MaxValue, QueueProcessingOrder = QueueProcessingOrder.OldestFirst });

        public RateLimitLease AttemptAcquire(int permitCount)
        {
            if (windows.Length == 0)
            {
                return Granted.Instance;
            }

            using var held = turn.AttemptAcquire();
            if (!held.IsAcquired)
            {
                return Denied.Instance;
            }

            // Without waiting: only if every window has room now (a window taken before a refusal stays taken).
            foreach (var window in windows)
            {
                using var lease = window.AttemptAcquire(permitCount);
                if (!lease.IsAcquired)
                {
                    return Denied.Instance;
                }
            }

            return Granted.Instance;
        }

        public async ValueTask<RateLimitLease> AcquireAsync(int permitCount, CancellationToken cancellationToken)
        {
            if (windows.Length == 0)
            {
                return Granted.Instance;
            }

            using var held = await turn.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
            foreach (var window in windows)
            {
                using var lease = await window.AcquireAsync(permitCount, cancellationToken).ConfigureAwait(false);
                if (!lease.IsAcquired)
                {
                    return Denied.Instance;
                }
            }

            return Granted.Instance;
        }

        public void Dispose()
        {
            turn.Dispose();
            foreach (var window in windows)
            {
                window.Dispose();
            }
        }
    }

    private sealed class Granted : RateLimitLease
    {
        public static Granted Instance { get; } = new();

        public override bool IsAcquired => true;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }

    private sealed class Denied : RateLimitLease
    {
        public static Denied Instance { get; } = new();

        public override bool IsAcquired => false;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
