using Microsoft.Extensions.Options;
using Polly.Telemetry;

namespace DirectoryConnector.Engine.Http;

/// <summary>
/// Logs Polly's own resilience events (each try, retry and timeout) at Debug. By default Polly logs a failed try and
/// a retry at Warning and a timeout at Error, each with the exception's whole stack trace, so a user at the default
/// log level saw screens of stack traces for one unreachable host. <see cref="DirectoryHttpRetryPipeline"/> already
/// logs each retry in one line at Warning, and the failure itself ends the sync with a message naming the field.
/// </summary>
internal sealed class ResilienceTelemetryConfiguration : IConfigureOptions<TelemetryOptions>
{
    public void Configure(TelemetryOptions options) => options.SeverityProvider = _ => ResilienceEventSeverity.Debug;
}
