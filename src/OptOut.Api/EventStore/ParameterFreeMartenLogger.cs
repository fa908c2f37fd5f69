using Marten;
using Marten.Services;
using Npgsql;

namespace OptOut.EventStore;

/// <summary>
/// Marten's log, without what the statements carried. Marten's own logger writes every parameter of a failed statement
/// (NHS numbers, subjects, whole audit records) into the error line; this one names the statement and the error only.
/// PostgreSQL's own detail lines stay redacted too: no connection string sets Include Error Detail.
/// </summary>
public sealed class ParameterFreeMartenLogger(ILogger<IDocumentStore> logger) : IMartenLogger, IMartenSessionLogger
{
    public IMartenSessionLogger StartSession(IQuerySession session) => this;

    public void SchemaChange(string sql) => logger.LogInformation("Marten applied a schema change");

    public void LogSuccess(NpgsqlCommand command)
    {
    }

    public void LogSuccess(NpgsqlBatch batch)
    {
    }

    public void LogFailure(NpgsqlCommand command, Exception ex) =>
        logger.LogError(ex, "Marten statement failed: {Statement}", command.CommandText);

    public void LogFailure(NpgsqlBatch batch, Exception ex) =>
        logger.LogError(ex, "Marten batch of {Count} statements failed", batch.BatchCommands.Count);

    public void LogFailure(Exception ex, string message) => logger.LogError(ex, "Marten failed: {Message}", message);

    public void RecordSavedChanges(IDocumentSession session, IChangeSet commit)
    {
    }

    public void OnBeforeExecute(NpgsqlCommand command)
    {
    }

    public void OnBeforeExecute(NpgsqlBatch batch)
    {
    }
}
