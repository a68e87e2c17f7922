using System.Net;
using k8s.Autorest;
using k8s.LeaderElection;
using Microsoft.Extensions.Logging;

namespace DirectoryConnector.Operator.Hosting;

/// <summary>
/// The Lease lock as the leader elector sees it, with a transport failure (connection refused or reset, DNS, a request
/// timeout) turned into a failed attempt, as client-go's tryAcquireOrRenew treats every error. KubernetesClient's
/// LeaderElector only expects HTTP statuses: any other exception ends AcquireAsync (the process exited with a stack
/// trace when the API server was unreachable as the pod started) and ends the term at the first dropped renewal,
/// where client-go keeps trying until the renew deadline.
/// </summary>
internal sealed partial class TransportTolerantLock(ILock inner, ILogger logger) : ILock
{
    public string Identity => inner.Identity;

    public string Describe() => inner.Describe();

    public async Task<LeaderElectionRecord> GetAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await inner.GetAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsTransportFailure(e, cancellationToken))
        {
            LogTransportFailure(logger, "read", inner.Describe(), e.Message);

            // The elector counts a non-404 status as a failed attempt and tries again after its retry period.
            throw new HttpOperationException($"the Lease could not be read: {e.Message}", e)
            {
                Response = new HttpResponseMessageWrapper(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable), ""),
            };
        }
    }

    public Task<bool> CreateAsync(LeaderElectionRecord record, CancellationToken cancellationToken = default)
        => FailedAttemptOnTransportFailureAsync(() => inner.CreateAsync(record, cancellationToken), "create", cancellationToken);

    public Task<bool> UpdateAsync(LeaderElectionRecord record, CancellationToken cancellationToken = default)
        => FailedAttemptOnTransportFailureAsync(() => inner.UpdateAsync(record, cancellationToken), "update", cancellationToken);

    private async Task<bool> FailedAttemptOnTransportFailureAsync(Func<Task<bool>> write, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await write().ConfigureAwait(false);
        }
        catch (Exception e) when (IsTransportFailure(e, cancellationToken))
        {
            LogTransportFailure(logger, what, inner.Describe(), e.Message);
            return false;
        }
    }

    // A cancelled token is shutdown, not a failure; HttpClient's own timeout is a TaskCanceledException too.
    private static bool IsTransportFailure(Exception e, CancellationToken cancellationToken)
        => !cancellationToken.IsCancellationRequested && e is HttpRequestException or IOException or TaskCanceledException;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not {Operation} the Lease {Lease} (the Kubernetes API server did not answer: {Reason}); trying again after the retry period")]
    private static partial void LogTransportFailure(ILogger logger, string operation, string lease, string reason);
}
