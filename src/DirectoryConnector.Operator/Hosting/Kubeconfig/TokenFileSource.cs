using k8s.Exceptions;

namespace DirectoryConnector.Operator.Hosting.Kubeconfig;

/// <summary>
/// A kubeconfig user's <c>tokenFile</c>, read as client-go reads it (k8s.io/client-go/transport/round_trippers.go,
/// NewBearerAuthWithRefreshRoundTripper, on token_source.go's NewCachedFileTokenSource and cachingTokenSource): a read
/// token (trimmed; an empty file is a failed read) expires 1 minute after the read and is refreshed 10 seconds early,
/// i.e. the file is read again at most every 50 seconds; a failed read keeps the last token (or the user's
/// <c>token</c>, or the read made when the configuration was built). One addition: a 401 forgets a token read before the
/// request started, so the next request reads the file (token_source.go's ResetTokenOlderThan, which client-go applies
/// to resettable token sources but not to a kubeconfig's tokenFile), instead of failing for up to 50 seconds after a
/// rotation (<see cref="KubeconfigRequestHandler"/>).
/// </summary>
internal sealed class TokenFileSource
{
    private static readonly TimeSpan Period = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Leeway = TimeSpan.FromSeconds(10);

    private readonly string fallback;
    private readonly TimeProvider time;
    private readonly Lock gate = new();
    private string? cached;
    private DateTimeOffset expiry;
    private DateTimeOffset readAt;

    private TokenFileSource(string path, string fallback, TimeProvider time)
    {
        Path = path;
        this.fallback = fallback;
        this.time = time;
    }

    public string Path { get; }

    /// <summary>
    /// The source of <paramref name="path"/>; with no <paramref name="token"/> the file is read now, as client-go does
    /// when it builds the configuration, and a failure is a <see cref="KubeConfigException"/> naming <paramref name="field"/>.
    /// </summary>
    public static TokenFileSource Create(string path, string? token, string field, TimeProvider time)
    {
        if (string.IsNullOrEmpty(token) && !TryRead(path, out token, out var problem))
        {
            throw new KubeConfigException($"{field}: {problem}");
        }

        return new TokenFileSource(path, token!, time);
    }

    /// <summary>The token to send now.</summary>
    public string Token()
    {
        var now = time.GetUtcNow();
        lock (gate)
        {
            if (cached is not null && expiry - Leeway > now)
            {
                return cached;
            }

            if (TryRead(Path, out var token, out _) && token is not null)
            {
                cached = token;
                expiry = now + Period;
                readAt = now;
                return token;
            }

            return cached ?? fallback;
        }
    }

    /// <summary>token_source.go's ResetTokenOlderThan: after a 401, a token read before <paramref name="start"/> is read again.</summary>
    public void ResetTokenOlderThan(DateTimeOffset start)
    {
        lock (gate)
        {
            if (readAt < start)
            {
                cached = null;
                readAt = default;
            }
        }
    }

    private static bool TryRead(string path, out string? token, out string problem)
    {
        (token, problem) = (null, "");
        try
        {
            token = File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = $"cannot read the token file {path}: {e.Message}";
            return false;
        }

        if (token.Length == 0)
        {
            (token, problem) = (null, $"the token file {path} is empty");
            return false;
        }

        return true;
    }
}
