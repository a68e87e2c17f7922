namespace DirectoryConnector.TestSupport.Kubernetes;

/// <summary>A request as a fault rule sees it: method, path, query string ("?a=b" or "") and body.</summary>
public sealed record KubeApiRequest(string Method, string Path, string Query, string Body);

/// <summary>Faults a test injects into the emulator: failing requests, throttling and latency.</summary>
public sealed class KubeApiFaults
{
    private readonly Lock _lock = new();
    private readonly List<Rule> _rules = [];
    private int _failuresLeft;
    private int _failureCode;
    private TimeSpan? _retryAfter;

    /// <summary>Delay added before every request is answered.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>The next <paramref name="count"/> requests answer 500 InternalError.</summary>
    public void FailNextRequests(int count) => Set(count, 500, null);

    /// <summary>The next <paramref name="count"/> requests answer 429 TooManyRequests with Retry-After.</summary>
    public void ThrottleNextRequests(int count, TimeSpan retryAfter) => Set(count, 429, retryAfter);

    /// <summary>
    /// The next <paramref name="count"/> requests <paramref name="match"/> accepts answer <paramref name="code"/> with
    /// the Status the API server sends for it (409 Conflict, 410 Expired, 429 TooManyRequests with Retry-After, 500
    /// InternalError, 503 ServiceUnavailable); other requests are served. Returns a handle counting the failures sent.
    /// </summary>
    public FaultRule FailMatching(Func<KubeApiRequest, bool> match, int code, int count = 1, TimeSpan? retryAfter = null)
    {
        var rule = new Rule(match, code, retryAfter ?? (code == 429 ? TimeSpan.FromSeconds(1) : null), new FaultRule(count));
        lock (_lock)
        {
            _rules.Add(rule);
        }

        return rule.Handle;
    }

    /// <summary>
    /// The next <paramref name="count"/> requests <paramref name="match"/> accepts are dropped: the connection closes
    /// without a response, as when the API server restarts or a load balancer resets the connection (the client sees a
    /// transport error, not an HTTP status).
    /// </summary>
    public FaultRule DropMatching(Func<KubeApiRequest, bool> match, int count = 1) => FailMatching(match, DroppedConnection, count);

    /// <summary>The failure code of <see cref="DropMatching"/>: no response at all.</summary>
    internal const int DroppedConnection = 0;

    internal bool HasRules
    {
        get
        {
            lock (_lock)
            {
                return _rules.Count > 0;
            }
        }
    }

    internal (int Code, TimeSpan? RetryAfter)? TakeFailure(KubeApiRequest request)
    {
        lock (_lock)
        {
            foreach (var rule in _rules)
            {
                if (rule.Handle.Left > 0 && rule.Match(request))
                {
                    rule.Handle.Take();
                    return (rule.Code, rule.RetryAfter);
                }
            }

            _rules.RemoveAll(r => r.Handle.Left == 0);
            if (_failuresLeft <= 0)
            {
                return null;
            }

            _failuresLeft--;
            return (_failureCode, _retryAfter);
        }
    }

    private void Set(int count, int code, TimeSpan? retryAfter)
    {
        lock (_lock)
        {
            _failuresLeft = count;
            _failureCode = code;
            _retryAfter = retryAfter;
        }
    }

    private sealed record Rule(Func<KubeApiRequest, bool> Match, int Code, TimeSpan? RetryAfter, FaultRule Handle);
}

/// <summary>What a <see cref="KubeApiFaults.FailMatching"/> rule has done so far.</summary>
public sealed class FaultRule(int count)
{
    private int _left = count;
    private int _sent;

    /// <summary>Failures still to send.</summary>
    public int Left => Volatile.Read(ref _left);

    /// <summary>Failures sent.</summary>
    public int Sent => Volatile.Read(ref _sent);

    internal void Take()
    {
        Interlocked.Decrement(ref _left);
        Interlocked.Increment(ref _sent);
    }
}
