using System.CommandLine;
using System.Text.Json;
using OptOut.Verifier;

// Exit codes: 0 verified, 1 not verified (the reason is printed), 2 the command itself was wrong.
var key = new Option<string>("--key") { Description = "The log's verifier key (name+id+key), as GET /v1/audit/log/key gives it, or a file holding it.", Required = true };
var note = new Option<FileInfo>("--checkpoint") { Description = "A signed checkpoint, as GET /v1/audit/log/checkpoint gives it.", Required = true };
var entry = new Option<FileInfo>("--entry") { Description = "One audit entry: a line of the NDJSON export.", Required = true };
var proof = new Option<FileInfo>("--proof") { Description = "The proof, as GET /v1/audit/log/proofs/... gives it.", Required = true };
var older = new Option<FileInfo>("--old") { Description = "The earlier signed checkpoint.", Required = true };
var newer = new Option<FileInfo>("--new") { Description = "The later signed checkpoint.", Required = true };

var checkpointCommand = new Command("checkpoint", "Check a checkpoint's signature with the log's key.") { key, note };
checkpointCommand.SetAction(p => Report(Open(p.GetValue(note)!, p.GetValue(key)!), c => $"verified: {c.Origin} holds {c.Size} entries, root {Convert.ToBase64String(c.Root)}"));

var inclusionCommand = new Command("inclusion", "Check that an entry, as its content hashes, is in a signed checkpoint.") { key, note, entry, proof };
inclusionCommand.SetAction(p =>
{
    var (checkpoint, problem) = Open(p.GetValue(note)!, p.GetValue(key)!);
    if (checkpoint is null)
    {
        return Fail(problem!);
    }

    var (sequence, computed, stated) = Entry.Read(File.ReadAllText(p.GetValue(entry)!.FullName).Trim());
    if (computed != stated)
    {
        return Fail($"entry {sequence} was changed: its content hashes to {computed}, not {stated}");
    }

    var (index, size, hashes) = Proof(p.GetValue(proof)!);
    if (index != sequence - 1 || size != checkpoint.Size)
    {
        return Fail($"the proof is for leaf {index} of {size}, not entry {sequence} of the checkpoint's {checkpoint.Size}");
    }

    return Merkle.VerifyInclusion(index, size, Merkle.Leaf(Convert.FromHexString(computed)), hashes, checkpoint.Root)
        ? Pass($"verified: entry {sequence} is in the log's checkpoint of {size} entries")
        : Fail($"entry {sequence} is not in the checkpoint of {size} entries as signed");
});

var consistencyCommand = new Command("consistency", "Check that a later checkpoint extends an earlier one: nothing in between was removed or changed.") { key, older, newer, proof };
consistencyCommand.SetAction(p =>
{
    var (first, firstProblem) = Open(p.GetValue(older)!, p.GetValue(key)!);
    var (second, secondProblem) = Open(p.GetValue(newer)!, p.GetValue(key)!);
    if (first is null || second is null)
    {
        return Fail(firstProblem ?? secondProblem!);
    }

    var document = JsonDocument.Parse(File.ReadAllText(p.GetValue(proof)!.FullName)).RootElement;
    if (document.GetProperty("fromSize").GetInt64() != first.Size || document.GetProperty("toSize").GetInt64() != second.Size)
    {
        return Fail("the proof is not between these two checkpoints");
    }

    return Merkle.VerifyConsistency(first.Size, second.Size, first.Root, second.Root, Hashes(document))
        ? Pass($"verified: the checkpoint of {second.Size} entries extends the one of {first.Size}")
        : Fail($"the checkpoint of {second.Size} entries does not extend the one of {first.Size}: history was rewritten, or shown differently to different people");
});

var bundle = new Option<FileInfo>("--history") { Description = "A patient's history with its proofs, as GET /v1/patients/{n}/access-log/proof gives it (the page's download).", Required = true };
var witnessKeys = new Option<string[]>("--witness-key") { Description = "A witness whose cosignature the checkpoint must carry (name+id+key, or a file holding it); repeat for several." };
var historyCommand = new Command("history", "Check a patient's downloaded history: every entry as its content hashes, each in the log's signed checkpoint.") { key, bundle, witnessKeys };
historyCommand.SetAction(p =>
{
    var document = JsonDocument.Parse(File.ReadAllText(p.GetValue(bundle)!.FullName)).RootElement;
    var noteText = document.GetProperty("checkpoint").GetString()!;
    var keyText = p.GetValue(key)!;
    var (checkpoint, problem) = Note.Open(noteText, File.Exists(keyText) ? File.ReadAllText(keyText) : keyText);
    if (checkpoint is null)
    {
        return Fail(problem!);
    }

    foreach (var witness in p.GetValue(witnessKeys) ?? [])
    {
        if (!Note.CosignedBy(noteText, File.Exists(witness) ? File.ReadAllText(witness) : witness))
        {
            return Fail($"the checkpoint is not cosigned by the witness {witness.Split('+')[0]}");
        }
    }

    var listed = new List<(long Sequence, string? NhsNumber, byte[] Leaf)>();
    foreach (var item in document.GetProperty("entries").EnumerateArray())
    {
        var (sequence, computed, stated) = Entry.Read(item.GetRawText());
        if (computed != stated)
        {
            return Fail($"entry {sequence} was changed: its content hashes to {computed}, not {stated}");
        }

        var leaf = Merkle.Leaf(Convert.FromHexString(computed));
        var hashes = item.GetProperty("proof").EnumerateArray().Select(h => Convert.FromBase64String(h.GetString()!)).ToList();
        if (!Merkle.VerifyInclusion(sequence - 1, checkpoint.Size, leaf, hashes, checkpoint.Root))
        {
            return Fail($"entry {sequence} is not in the log's signed checkpoint of {checkpoint.Size} entries");
        }

        listed.Add((sequence, item.GetProperty("nhsNumber").GetString(), leaf));
    }

    var witnesses = (p.GetValue(witnessKeys) ?? []).Length;
    var cosigned = witnesses > 0 ? $", cosigned by {witnesses} witness{(witnesses == 1 ? "" : "es")}" : "";
    var patient = document.GetProperty("nhsNumber").GetString()!;
    if (checkpoint.MapRoot is null)
    {
        return Pass($"verified: all {listed.Count} entries about {patient} are in the log's signed checkpoint of {checkpoint.Size} entries{cosigned}. " +
                    "(This checkpoint predates the patient map, so it cannot show that no use of the record is missing from the list.)");
    }

    // Completeness: for every NHS number the record has had, the signed map's count and head are those of the listed
    // entries naming it, so no entry naming it can be missing from the list (nor one added).
    var proven = new HashSet<string>();
    foreach (var proof in document.GetProperty("map").EnumerateArray())
    {
        var number = proof.GetProperty("nhsNumber").GetString()!;
        if (PatientMap.Check(number, proof, checkpoint.MapRoot) is not { } signedHistory)
        {
            return Fail($"the patient map's proof for {number} does not lead to the map the checkpoint signs");
        }

        var own = listed.Where(e => e.NhsNumber == number && e.Sequence <= checkpoint.MapSize).OrderBy(e => e.Sequence).ToList();
        if (own.Count != signedHistory.Entries || !PatientMap.Head(own.Select(e => (e.Sequence - 1, e.Leaf))).SequenceEqual(signedHistory.Head))
        {
            return Fail($"the list is not complete: the signed map says {signedHistory.Entries} of the log's first {checkpoint.MapSize} entries name {number}, and the list's {own.Count} do not give its chain head");
        }

        proven.Add(number);
    }

    if (!proven.Contains(patient))
    {
        return Fail($"the download carries no map proof for {patient}");
    }

    var stray = listed.Where(e => e.NhsNumber is null || !proven.Contains(e.NhsNumber)).Select(e => e.Sequence).ToList();
    if (stray.Count > 0)
    {
        return Fail($"entry {stray[0]} names a number the map proofs do not cover");
    }

    return Pass($"verified: all {listed.Count} entries about {patient} are in the log's signed checkpoint of {checkpoint.Size} entries{cosigned}, " +
                $"and the checkpoint's patient map shows the list is complete: no use of the record among the log's first {checkpoint.MapSize} entries is missing from it.");
});

var root = new RootCommand("Checks OptOut's audit log with nothing of OptOut's own code: signed checkpoints, an entry's inclusion, and that the log only grows.")
{
    checkpointCommand, inclusionCommand, consistencyCommand, historyCommand,
};
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0 || parsed.Action is null)
{
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine("optout-verify: " + error.Message);
    }

    Console.Error.WriteLine("Run 'optout-verify --help' for usage.");
    return 2;
}

try
{
    // Exceptions reach the catch below, not System.CommandLine's handler (which prints a stack trace): bad input is "not verified".
    return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception ex) when (ex is IOException or JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
{
    // Unreadable input is not a verified log: it is reported, never thrown.
    return Fail(ex is KeyNotFoundException or InvalidOperationException
        ? "the input is not laid out as OptOut writes it: a field is missing or not of its kind (" + ex.Message + ")"
        : "the input could not be read: " + ex.Message);
}

static (Checkpoint?, string?) Open(FileInfo file, string key) =>
    Note.Open(File.ReadAllText(file.FullName), File.Exists(key) ? File.ReadAllText(key) : key);

static (long Index, long Size, List<byte[]> Hashes) Proof(FileInfo file)
{
    var document = JsonDocument.Parse(File.ReadAllText(file.FullName)).RootElement;
    return (document.GetProperty("leafIndex").GetInt64(), document.GetProperty("treeSize").GetInt64(), Hashes(document));
}

static List<byte[]> Hashes(JsonElement proof) => [.. proof.GetProperty("hashes").EnumerateArray().Select(h => Convert.FromBase64String(h.GetString()!))];

static int Report(( Checkpoint? Checkpoint, string? Problem) opened, Func<Checkpoint, string> verified) =>
    opened.Checkpoint is { } c ? Pass(verified(c)) : Fail(opened.Problem!);

static int Pass(string message)
{
    Console.WriteLine(message);
    return 0;
}

static int Fail(string message)
{
    Console.WriteLine("NOT VERIFIED: " + message);
    return 1;
}
