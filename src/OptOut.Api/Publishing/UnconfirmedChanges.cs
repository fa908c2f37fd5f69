namespace OptOut.Publishing;

/// <summary>
/// The changes the publisher has read and sent but the broker has not all confirmed yet, in sequence order. Each
/// patient's changes are chained, so one goes out only once the one before it is confirmed; different patients' go out
/// side by side and do not wait for each other. Progress is the sequence just below the oldest change not yet
/// confirmed, so a crash resends (never skips) whatever was in flight.
/// </summary>
/// <remarks>
/// Used by the publisher's one reading loop only: not thread-safe. The publishes themselves run on the thread pool.
/// </remarks>
public sealed class UnconfirmedChanges
{
    private readonly Queue<(long Sequence, string Patient, Task Confirmed)> _inOrder = new();
    private readonly Dictionary<string, Task> _lastOfPatient = [];

    public int Count => _inOrder.Count;

    /// <summary>Sends change <paramref name="sequence"/> of <paramref name="patient"/> once that patient's previous change is confirmed.</summary>
    public void Send(long sequence, string patient, Func<Task> publishUntilConfirmed)
    {
        var confirmed = _lastOfPatient.TryGetValue(patient, out var previous) && !previous.IsCompletedSuccessfully
            ? AfterAsync(previous, publishUntilConfirmed)
            : publishUntilConfirmed();
        _lastOfPatient[patient] = confirmed;
        _inOrder.Enqueue((sequence, patient, confirmed));
    }

    /// <summary>
    /// The sequence up to which every change is confirmed, given that every committed event up to <paramref name="readTo"/>
    /// has been read (events without a message among them count as done).
    /// </summary>
    public long ConfirmedTo(long readTo)
    {
        while (_inOrder.TryPeek(out var oldest) && oldest.Confirmed.IsCompletedSuccessfully)
        {
            _inOrder.Dequeue();
            if (_lastOfPatient.TryGetValue(oldest.Patient, out var last) && last == oldest.Confirmed)
            {
                _lastOfPatient.Remove(oldest.Patient);
            }
        }

        return _inOrder.TryPeek(out var first) ? first.Sequence - 1 : readTo;
    }

    /// <summary>Completes when the oldest change in flight is confirmed (or its publishing ends otherwise).</summary>
    public Task OldestAsync() => _inOrder.TryPeek(out var oldest) ? oldest.Confirmed : Task.CompletedTask;

    /// <summary>Waits for every publish to end, as they do once cancelled; what they end with no longer matters.</summary>
    public async Task AbandonAsync()
    {
        try
        {
            await Task.WhenAll(_inOrder.Select(c => c.Confirmed));
        }
        catch (Exception)
        {
            // Cancelled, or failing: the next leader starts again from the recorded progress and sends them again.
        }

        _inOrder.Clear();
        _lastOfPatient.Clear();
    }

    private static async Task AfterAsync(Task previous, Func<Task> publish)
    {
        await previous;
        await publish();
    }
}
