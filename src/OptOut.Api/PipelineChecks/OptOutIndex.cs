using System.Collections.Immutable;
using OptOut.NhsNumbers;

namespace OptOut.PipelineChecks;

/// <summary>
/// Who has a national data opt-out and who a GP Type 1 opt-out, in memory, as of event
/// <see cref="Sequence"/>: bulk and single checks for extract pipelines are answered from here.
/// Superseded numbers answer as the number that replaced them.
/// </summary>
public sealed class OptOutIndex
{
    private readonly NhsNumberBitSet _national = new();
    private readonly NhsNumberBitSet _type1 = new();
    // Replaced whole on the rare merge, so a look-up reads it without a lock (ConcurrentDictionary.IsEmpty takes every lock).
    private ImmutableDictionary<int, int> _supersededBy = ImmutableDictionary<int, int>.Empty;
    private long _sequence = -1;

    /// <summary>The highest event sequence reflected; -1 until the index is built.</summary>
    public long Sequence => Interlocked.Read(ref _sequence);

    public bool IsReady => Sequence >= 0;

    public long NationalOptOuts => _national.Count;

    public long Type1OptOuts => _type1.Count;

    public long AllocatedBytes => _national.AllocatedBytes + _type1.AllocatedBytes;

    public bool HasNationalOptOut(NhsNumber nhsNumber) => HasNationalOptOut(nhsNumber.Base);

    public bool HasType1OptOut(NhsNumber nhsNumber) => HasType1OptOut(nhsNumber.Base);

    public bool HasNationalOptOut(int nhsBase) => _national.Contains(Current(nhsBase));

    public bool HasType1OptOut(int nhsBase) => _type1.Contains(Current(nhsBase));

    internal void SetNational(int nhsBase, bool optedOut) => _national.Set(nhsBase, optedOut);

    internal void SetType1(int nhsBase, bool dissent) => _type1.Set(nhsBase, dissent);

    internal void Supersede(int oldBase, int newBase) => ImmutableInterlocked.AddOrUpdate(ref _supersededBy, oldBase, newBase, (_, _) => newBase);

    internal void Advance(long sequence)
    {
        if (sequence > Interlocked.Read(ref _sequence))
        {
            Interlocked.Exchange(ref _sequence, sequence);
        }
    }

    /// <summary>Waits until the index reflects <paramref name="sequence"/>, for a caller who must read its own writes.</summary>
    public async Task<bool> WaitForAsync(long sequence, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Sequence < sequence)
        {
            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            await Task.Delay(10, ct);
        }

        return true;
    }

    private int Current(int nhsBase)
    {
        var supersededBy = Volatile.Read(ref _supersededBy);
        for (var hops = 0; hops < 8 && !supersededBy.IsEmpty && supersededBy.TryGetValue(nhsBase, out var next); hops++)
        {
            nhsBase = next;
        }

        return nhsBase;
    }
}
