namespace OptOut.Audit.Transparency;

/// <summary>
/// How far this instance, while it leads the sequencer, has signed the log and brought the patient map: what an
/// operator watches. The map may lag the log (it is merged off the checkpoints' path, and a new leader first reads it
/// in); while it does, a patient's proof shows their list complete only up to the map's size. Null when not leading.
/// </summary>
public sealed class LogProgress
{
    private Signing? _latest;

    public Signing? Latest => Volatile.Read(ref _latest);

    internal void Signed(long size, long mapSize) => Volatile.Write(ref _latest, new Signing(size, mapSize));

    internal void NotLeading() => Volatile.Write(ref _latest, null);

    /// <summary>The latest checkpoint this leader signed: the log's size and the size of the patient map it signed with it.</summary>
    public sealed record Signing(long Size, long MapSize)
    {
        public long MapLag => Size - MapSize;
    }
}
