using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OptOut.IntegrationTests.Infrastructure;

/// <summary>
/// Every log line the service writes, formatted as a log sink that includes scopes would store it: the scopes' values
/// (ASP.NET Core's request scope, MassTransit's, any of ours) are on the line, so a number carried only in a scope is seen.
/// </summary>
public sealed class CapturedLogs : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<string> _lines = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines, () => _scopes);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines, Func<IExternalScopeProvider> scopes) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => scopes().Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var structured = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(' ', pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            var scope = new System.Text.StringBuilder();
            scopes().ForEachScope((value, line) => line.Append(" scope: ").Append(value is IEnumerable<KeyValuePair<string, object?>> values
                ? string.Join(' ', values.Select(p => $"{p.Key}={p.Value}"))
                : value), scope);
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {structured} {exception}{scope}");
        }
    }
}
