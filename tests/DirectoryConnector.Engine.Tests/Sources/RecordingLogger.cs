using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace DirectoryConnector.Engine.Tests.Sources;

/// <summary>Keeps every log entry with its structured properties, so tests can assert what was logged (and what not).</summary>
internal sealed class RecordingLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(LogLevel Level, string Message, IReadOnlyDictionary<string, object?> Properties)> Entries { get; } = new();

    /// <summary>Called on the logging thread after each entry is kept: a hook for tests that must act at an exact
    /// point of the code under test (it runs before the logging call returns).</summary>
    public Action<string, IReadOnlyDictionary<string, object?>>? OnLog { get; init; }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var properties = state is IEnumerable<KeyValuePair<string, object?>> pairs
            ? pairs.ToDictionary(pair => pair.Key, pair => pair.Value)
            : [];
        var message = formatter(state, exception);
        Entries.Enqueue((logLevel, message, properties));
        OnLog?.Invoke(message, properties);
    }
}
