using System.Collections.Immutable;
using OptOut.NhsNumbers;

namespace OptOut.Indexing;

/// <summary>
/// Who has a national data opt-out and who a GP Type 1 opt-out, in memory, as of event
/// <see cref="Sequence"/>: bulk and single checks for extract pipelines are answered from here.
/// Superseded numbers answer as the number that replaced them.
/// </summary>
public sealed class OptOutIndex : IDisposable
{
    private readonly NhsNumberBitSet _national = new();
    private readonly NhsNumberBitSet _type1 = new();
    // Replaced whole on the rare merge, so a look-up reads it without a lock (ConcurrentDictionary.IsEmpty takes every lock).
    private ImmutableDictionary<int, int> _supersededBy = ImmutableDictionary<int, int>.Empty;
    // Records that have refused consent for some purpose: few, so a set rather than a bit set of 128 KB chunks. A bulk
    // check weighs each such record it meets with the single decision's rules (ConsentRefusals).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, byte> _refusing = new();
    private long _refusingCount;
    private long _sequence = -1;
    private long _lastAcknowledged;
    private TaskCompletionSource _advanced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, long> _acknowledged = new();
    private readonly SemaphoreSlim _caughtUpWanted = new(0);

    /// <summary>The highest event sequence reflected; -1 until the index is built.</summary>
    public long Sequence => Interlocked.Read(ref _sequence);

    public bool IsReady => Sequence >= 0;

    public long NationalOptOuts => _national.Count;

    public long Type1OptOuts => _type1.Count;

    public long AllocatedBytes => _national.AllocatedBytes + _type1.AllocatedBytes;

    /// <summary>Records that may hold a refusal of consent for some purpose (see <see cref="MayRefuseConsent"/>).</summary>
    public long ConsentRefusers => Interlocked.Read(ref _refusingCount);

    /// <summary>
    /// Whether the record (or the one that replaced it) has refused consent for some purpose since the index last read
    /// its snapshot. Added to by every refusal and never taken from by a later grant: a false "may" costs one exact
    /// look at the record; a false "no" would hand out a number its patient refused.
    /// </summary>
    public bool MayRefuseConsent(int nhsBase) => Interlocked.Read(ref _refusingCount) > 0 && (_refusing.ContainsKey(nhsBase) || _refusing.ContainsKey(Current(nhsBase)));

    /// <summary>The number standing for <paramref name="nhsBase"/> now: itself, or the one it was merged into.</summary>
    public int CurrentBase(int nhsBase) => Current(nhsBase);

    public bool HasNationalOptOut(NhsNumber nhsNumber) => HasNationalOptOut(nhsNumber.Base);

    public bool HasType1OptOut(NhsNumber nhsNumber) => HasType1OptOut(nhsNumber.Base);

    public bool HasNationalOptOut(int nhsBase) => _national.Contains(Current(nhsBase));

    public bool HasType1OptOut(int nhsBase) => _type1.Contains(Current(nhsBase));

    /// <summary>
    /// For each base, whether it has a national (if <paramref name="national"/>) or Type 1 (if <paramref name="type1"/>)
    /// opt-out: the bulk check's look-up, with the bits for the bases a little further on already on their way from memory.
    /// </summary>
    public void FindOptOuts(ReadOnlySpan<int> bases, bool national, bool type1, Span<bool> optedOut)
    {
        // Far enough ahead that the memory's latency is covered by the work on the bases in between; measured on the
        // system benchmark's index (docs/benchmarks.md). A small index that fits the cache gains nothing.
        const int Ahead = 32;
        var anySuperseded = !Volatile.Read(ref _supersededBy).IsEmpty;
        for (var i = 0; i < bases.Length; i++)
        {
            if (i + Ahead < bases.Length)
            {
                var next = anySuperseded ? Current(bases[i + Ahead]) : bases[i + Ahead];
                if (national)
                {
                    _national.Prefetch(next);
                }

                if (type1)
                {
                    _type1.Prefetch(next);
                }
            }

            var nhsBase = anySuperseded ? Current(bases[i]) : bases[i];
            optedOut[i] = (national && _national.Contains(nhsBase)) | (type1 && _type1.Contains(nhsBase));
        }
    }

    /// <summary>Empties an index that is not yet ready, so a build that failed half-way starts again from nothing.</summary>
    internal void Clear()
    {
        if (IsReady)
        {
            throw new InvalidOperationException("An index that answers checks is never emptied.");
        }

        _national.Clear();
        _type1.Clear();
        _refusing.Clear();
        Interlocked.Exchange(ref _refusingCount, 0);
        Interlocked.Exchange(ref _supersededBy, ImmutableDictionary<int, int>.Empty);
    }

    internal NhsNumberBitSet National => _national;

    internal NhsNumberBitSet Type1 => _type1;

    internal ImmutableDictionary<int, int> Supersessions => Volatile.Read(ref _supersededBy);

    internal IEnumerable<int> Refusing => _refusing.Keys.Order();

    internal void SetRefusing(int nhsBase)
    {
        if (_refusing.TryAdd(nhsBase, 0))
        {
            Interlocked.Increment(ref _refusingCount);
        }
    }

    internal void SetNational(int nhsBase, bool optedOut) => _national.Set(nhsBase, optedOut);

    internal void SetType1(int nhsBase, bool dissent) => _type1.Set(nhsBase, dissent);

    internal void Supersede(int oldBase, int newBase) => ImmutableInterlocked.AddOrUpdate(ref _supersededBy, oldBase, newBase, (_, _) => newBase);

    internal void Advance(long sequence)
    {
        if (sequence > Interlocked.Read(ref _sequence))
        {
            Interlocked.Exchange(ref _sequence, sequence);
            foreach (var (nhsBase, acknowledged) in _acknowledged)
            {
                if (acknowledged <= sequence)
                {
                    _acknowledged.TryRemove(new KeyValuePair<int, long>(nhsBase, acknowledged));
                }
            }

            Interlocked.Exchange(ref _advanced, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }

    /// <summary>
    /// This instance acknowledged a change to the record with this base at this sequence: until the index reflects it,
    /// look-ups of that record and bulk checks wait for it, so nobody is told what was true before the acknowledgement.
    /// </summary>
    public void Acknowledged(int nhsBase, long sequence)
    {
        _acknowledged.AddOrUpdate(nhsBase, sequence, (_, held) => Math.Max(held, sequence));
        InterlockedMax(ref _lastAcknowledged, sequence);
        if (_caughtUpWanted.CurrentCount == 0)
        {
            _caughtUpWanted.Release();
        }
    }

    /// <summary>The sequence a look-up of this record must see: its last change acknowledged here, if not yet reflected.</summary>
    public long AcknowledgedFor(int nhsBase) =>
        _acknowledged.IsEmpty ? 0 : Math.Max(_acknowledged.GetValueOrDefault(nhsBase), _acknowledged.GetValueOrDefault(Current(nhsBase)));

    /// <summary>The last change this instance acknowledged: a bulk check covers every record, so it waits for all of them.</summary>
    public long LastAcknowledged => Interlocked.Read(ref _lastAcknowledged);

    /// <summary>Lets the follower read at once after an acknowledged change, instead of at its next poll.</summary>
    internal Task WaitForWorkAsync(TimeSpan poll, CancellationToken ct) => _caughtUpWanted.WaitAsync(poll, ct);

    /// <summary>Waits until the index reflects <paramref name="sequence"/>, for a caller who must read its own writes.</summary>
    public async Task<bool> WaitForAsync(long sequence, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var advanced = Volatile.Read(ref _advanced).Task;
            if (Sequence >= sequence)
            {
                return true;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            await Task.WhenAny(advanced, Task.Delay(left, ct));
            ct.ThrowIfCancellationRequested();
        }
    }

    public void Dispose() => _caughtUpWanted.Dispose();

    private static void InterlockedMax(ref long target, long value)
    {
        var held = Interlocked.Read(ref target);
        while (value > held)
        {
            var seen = Interlocked.CompareExchange(ref target, value, held);
            if (seen == held)
            {
                return;
            }

            held = seen;
        }
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
