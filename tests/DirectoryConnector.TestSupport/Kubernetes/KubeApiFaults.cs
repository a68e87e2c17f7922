namespace DirectoryConnector.TestSupport.Kubernetes;

/// <summary>Faults a test injects into the emulator: failing requests, throttling and latency.</summary>
public sealed class KubeApiFaults
{
    private readonly Lock _lock = new();
    private int _failuresLeft;
    private int _failureCode;
    private TimeSpan? _retryAfter;

    /// <summary>Delay added before every request is answered.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>The next <paramref name="count"/> requests answer 500 InternalError.</summary>
    public void FailNextRequests(int count) => Set(count, 500, null);

    /// <summary>The next <paramref name="count"/> requests answer 429 TooManyRequests with Retry-After.</summary>
    public void ThrottleNextRequests(int count, TimeSpan retryAfter) => Set(count, 429, retryAfter);

    internal (int Code, TimeSpan? RetryAfter)? TakeFailure()
    {
        lock (_lock)
        {
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
}
