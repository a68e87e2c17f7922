using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using k8s.Authentication;
using k8s.Exceptions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DirectoryConnector.Operator.Hosting.Kubeconfig;

/// <summary>
/// The bearer of a kubeconfig user with <c>auth-provider: {name: oidc}</c>, as client-go's oidc auth provider
/// (k8s.io/client-go/plugin/pkg/client/auth/oidc/oidc.go, idToken): the id-token while it is valid for more than
/// 10 seconds by its exp claim, else a new one from the refresh-token (<see cref="OidcIssuerClient"/>), the
/// refresh-token replaced when the issuer rotates it. Concurrent requests share one refresh. As with client-go, the new
/// tokens are written back to the kubeconfig file that defines the user (<see cref="KubeconfigAuthProviderPersister"/>).
/// The issuer's client and the logger are bound when the Kubernetes client is built
/// (<see cref="KubernetesConfigResolution.CreateClient"/>): they come from the service container.
/// </summary>
internal sealed class OidcTokenRefresher(OidcAuthProviderSettings settings, string? idToken, string? refreshToken, KubeconfigAuthProviderPersister? persister, TimeProvider time) : ITokenProvider
{
    /// <summary>client-go's expiryDelta: a token this close to its exp counts as expired (clock skew).</summary>
    private static readonly TimeSpan ExpiryDelta = TimeSpan.FromSeconds(10);

    private readonly Lock gate = new();
    private string? idToken = idToken;
    private string? refreshToken = refreshToken;
    private Task<string>? refreshing;
    private OidcIssuerClient? issuer;
    private ILogger logger = NullLogger.Instance;

    public OidcAuthProviderSettings Settings => settings;

    /// <summary>Where refreshed tokens are saved (null: nowhere).</summary>
    public KubeconfigAuthProviderPersister? Persister => persister;

    /// <summary>Binds the issuer's HTTP client (until then a refresh fails) and the logger saving the tokens reports to.</summary>
    public void Use(OidcIssuerClient client, ILogger log)
    {
        issuer = client;
        logger = log;
    }

    public async Task<AuthenticationHeaderValue> GetAuthenticationHeaderAsync(CancellationToken cancellationToken)
    {
        Task<string> refresh;
        lock (gate)
        {
            if (!string.IsNullOrEmpty(idToken) && !Expired(idToken))
            {
                return new AuthenticationHeaderValue("Bearer", idToken);
            }

            // One refresh for every waiting request; not cancelled with the request that started it. On the thread pool,
            // so its end (which clears refreshing under this lock) comes after this assignment.
            refresh = refreshing ??= Task.Run(RefreshAsync, CancellationToken.None);
        }

        return new AuthenticationHeaderValue("Bearer", await refresh.WaitAsync(cancellationToken).ConfigureAwait(false));
    }

    private async Task<string> RefreshAsync()
    {
        try
        {
            string presented;
            lock (gate)
            {
                presented = refreshToken ?? "";
            }

            if (presented.Length == 0)
            {
                throw new KubernetesClientException($"kubeconfig {settings.Describe()}: the id-token has expired and there is no refresh-token to renew it; log in to the issuer again.");
            }

            var client = issuer ?? throw new InvalidOperationException("The OIDC issuer client is not bound: build the Kubernetes client with KubernetesConfigResolution.CreateClient.");
            var tokens = await client.RefreshAsync(settings, presented, CancellationToken.None).ConfigureAwait(false);
            var rotated = !string.IsNullOrEmpty(tokens.RefreshToken) && tokens.RefreshToken != presented;
            lock (gate)
            {
                idToken = tokens.IdToken!;
                if (rotated)
                {
                    refreshToken = tokens.RefreshToken;
                }
            }

            // client-go's idToken: the new id-token always, the refresh-token when the issuer sent another one.
            List<KeyValuePair<string, string>> saved = [new("id-token", tokens.IdToken!)];
            if (rotated)
            {
                saved.Add(new("refresh-token", tokens.RefreshToken!));
            }

            persister?.Persist(saved, rotated, logger);
            return tokens.IdToken!;
        }
        finally
        {
            lock (gate)
            {
                refreshing = null;
            }
        }
    }

    // client-go's idTokenExpired: the exp claim of the unverified payload (the API server verifies the token).
    private bool Expired(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            throw new KubernetesClientException($"kubeconfig {settings.Describe()}: the id-token is not a valid JWT.");
        }

        try
        {
            using var payload = JsonDocument.Parse(Base64UrlDecode(parts[1]));
            if (!payload.RootElement.TryGetProperty("exp", out var exp) || exp.ValueKind != JsonValueKind.Number)
            {
                // client-go reads a missing exp as the zero time: expired.
                return true;
            }

            var expires = DateTimeOffset.FromUnixTimeSeconds(exp.TryGetInt64(out var seconds) ? seconds : (long)exp.GetDouble());
            return time.GetUtcNow() + ExpiryDelta >= expires;
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentOutOfRangeException)
        {
            throw new KubernetesClientException($"kubeconfig {settings.Describe()}: the id-token is not a valid JWT (its payload cannot be read).", e);
        }
    }

    private static byte[] Base64UrlDecode(string text)
    {
        var base64 = new StringBuilder(text.Replace('-', '+').Replace('_', '/'));
        base64.Append('=', (4 - (base64.Length % 4)) % 4);
        return Convert.FromBase64String(base64.ToString());
    }
}
