using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace OptOut.Audit;

/// <summary>
/// What ties the event store to the trail. The audit entry of a change names its events' sequences and a digest of the
/// events as stored (sequence, stream, version, type and data), so the entry, hashed into the chain and signed into the
/// log, commits to what was decided and not only that something was. An event a superuser edits, deletes, moves into
/// another stream or adds without an entry is then a break at re-verification, as an edited entry is.
/// </summary>
public static class EventDigests
{
    /// <summary>The details member that holds the digest.</summary>
    public const string Member = "eventsDigest";

    /// <summary>Marten's filler for a failed append's sequence numbers: no change of OptOut's, named by no entry.</summary>
    public const string TombstoneStream = "mt_tombstone";

    public const string TombstoneType = "tombstone";

    /// <summary>
    /// One stored event's digest, computed by PostgreSQL from the row as stored (jsonb's text form is canonical), so the
    /// chaining and the re-verification read it the same way whatever the writer's serializer did.
    /// </summary>
    public static string Sql(string alias)
    {
        var a = alias.Length == 0 ? "" : alias + ".";
        return $"sha256(convert_to({a}seq_id::text || ' ' || {a}stream_id || ' ' || {a}version::text || ' ' || {a}type || ' ' || {a}data::text, 'UTF8'))";
    }

    /// <summary>The digest of a change's events, from each event's digest in sequence order.</summary>
    public static string Combine(IReadOnlyList<byte[]> eventDigests)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var digest in eventDigests)
        {
            hash.AppendData(digest);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Names a change's events in its entry's details: the last sequence, every sequence when more than one, and the digest.</summary>
    public static void Name(JsonObject details, long[] sequences, IReadOnlyList<byte[]> eventDigests)
    {
        if (sequences.Length == 0)
        {
            return;
        }

        details["eventSequence"] = sequences[^1].ToString(CultureInfo.InvariantCulture);
        if (sequences.Length > 1)
        {
            details["eventSequences"] = new JsonArray([.. sequences.Select(q => JsonValue.Create(q))]);
        }

        details[Member] = Combine(eventDigests);
    }

    /// <summary>The sequences an entry's details name, and its digest if it has one (entries chained before digests have none).</summary>
    public static (long[] Sequences, string? Digest) Named(string details)
    {
        try
        {
            if (JsonNode.Parse(details) is not JsonObject o)
            {
                return ([], null);
            }

            long[] sequences = o["eventSequences"] is JsonArray all
                ? [.. all.Select(n => n!.GetValue<long>())]
                : o["eventSequence"] is JsonValue one && long.TryParse(one.GetValue<string>(), NumberStyles.None, CultureInfo.InvariantCulture, out var last) ? [last] : [];
            return (sequences, o[Member] is JsonValue d ? d.GetValue<string>() : null);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            // Details altered into something else: the entry's own hash already reports it; it names no events.
            return ([], null);
        }
    }
}
