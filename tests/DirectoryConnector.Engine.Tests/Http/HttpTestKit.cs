using System.Collections.Concurrent;
using DirectoryConnector.Engine.Http;
using DirectoryConnector.TestSupport.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DirectoryConnector.Engine.Tests.Http;

/// <summary>The typed client the plumbing tests register: a plain HttpClient holder.</summary>
internal sealed class ProbeClient(HttpClient http)
{
    public HttpClient Http { get; } = http;
}

/// <summary>Real time, except that waits shorter than <paramref name="shortcutBelow"/> are recorded and last 1 ms,
/// so a test can assert which waits were asked for without sleeping (timeouts, longer, run as asked).</summary>
internal sealed class ShortcutTimeProvider(TimeSpan shortcutBelow) : TimeProvider
{
    public ConcurrentQueue<TimeSpan> Waits { get; } = new();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime > TimeSpan.Zero && dueTime < shortcutBelow)
        {
            Waits.Enqueue(dueTime);
            dueTime = TimeSpan.FromMilliseconds(1);
        }

        return System.CreateTimer(callback, state, dueTime, period);
    }
}

internal static class HttpTestKit
{
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The plumbing with one probe client; <paramref name="logs"/> captures what a host logging at Warning
    /// (the CLI's default) would print.</summary>
    public static ServiceProvider Services(HttpRateLimitPolicy? policy = null, Action<DirectoryHttpClientOptions>? configure = null, TimeProvider? time = null, CapturedLogs? logs = null)
    {
        var services = new ServiceCollection();
        if (logs is not null)
        {
            services.AddLogging(logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Warning));
        }

        services.AddSingleton(time ?? new ShortcutTimeProvider(TimeSpan.FromSeconds(20)));
        services.AddDirectoryHttpClient<ProbeClient>(policy ?? HttpRateLimitPolicy.Default);
        services.Configure<DirectoryHttpClientOptions>(DirectoryHttpClientFactory.NameOf<ProbeClient>(), options =>
        {
            options.AttemptTimeout = AttemptTimeout;
            configure?.Invoke(options);
        });
        return services.BuildServiceProvider();
    }

    public static ProbeClient Client(this ServiceProvider services, string? caPem = null) =>
        services.GetRequiredService<DirectoryHttpClientFactory>().Create<ProbeClient>(caPem);
}
