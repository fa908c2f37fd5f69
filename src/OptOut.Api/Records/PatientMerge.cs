namespace OptOut.Records;

/// <summary>When two records for one person merge, each kind of choice keeps whichever was recorded later.</summary>
public static class PatientMerge
{
    public static PatientPreferences Merge(PatientPreferences survivor, PatientPreferences superseded)
    {
        var consents = new Dictionary<string, ConsentChoice>(survivor.Consents);
        foreach (var (purpose, choice) in superseded.Consents)
        {
            if (!consents.TryGetValue(purpose, out var existing) || existing.RecordedAt < choice.RecordedAt)
            {
                consents[purpose] = choice;
            }
        }

        var merged = survivor with
        {
            NationalDataOptOut = Later(survivor.NationalDataOptOut, superseded.NationalDataOptOut, c => c.RecordedAt),
            Type1OptOut = Later(survivor.Type1OptOut, superseded.Type1OptOut, c => c.RecordedAt),
            Proxies = [.. survivor.Proxies, .. superseded.Proxies.Where(p => survivor.Proxies.All(s => s.ProxyId != p.ProxyId))],
            Supersedes = [.. survivor.Supersedes, superseded.Id, .. superseded.Supersedes],
        };
        return merged.WithConsents(survivor.Id, consents);
    }

    private static T Later<T>(T survivor, T superseded, Func<T, DateTimeOffset?> recordedAt) =>
        (recordedAt(superseded) ?? DateTimeOffset.MinValue) > (recordedAt(survivor) ?? DateTimeOffset.MinValue) ? superseded : survivor;
}
