using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Hosting;

[Collection(OptOutServiceGroup.Name)]
public class MetricsTests(OptOutService service, Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task A_change_is_measured_on_its_way_to_the_broker_and_the_index_reports_its_sequence()
    {
        var measured = new ConcurrentDictionary<string, List<double>>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "OptOut")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((i, v, _, _) => measured.GetOrAdd(i.Name, _ => []).Add(v));
        listener.SetMeasurementEventCallback<long>((i, v, _, _) => measured.GetOrAdd(i.Name, _ => []).Add(v));
        listener.SetMeasurementEventCallback<int>((i, v, _, _) => measured.GetOrAdd(i.Name, _ => []).Add(v));
        listener.Start();

        var nhs = TestPatients.NewNhsNumber();
        var set = await service.As("patient", nhs).PutOptOutAsync(nhs, new { optedOut = true, channel = "online" });
        var sequence = long.Parse(set.Headers.GetValues("OptOut-Sequence").Single(), System.Globalization.CultureInfo.InvariantCulture);
        await service.StatusAsync(nhs);
        for (var i = 0; i < 100 && !measured.ContainsKey("optout.publish.lag"); i++)
        {
            await Task.Delay(100);
        }

        listener.RecordObservableInstruments();
        Assert.Contains(measured["optout.publish.lag"], lag => lag >= 0);
        Assert.Contains(measured["optout.index.sequence"], s => s >= sequence);
        Assert.Contains(measured["optout.audit.batch.size"], n => n >= 1);

        // The change's audit entry is signed by a checkpoint soon after; the leading instance reports how far, and how
        // far behind it the patient map is.
        var signed = await service.CreateClient().GetStringAsync("/v1/audit/log/checkpoint");
        var checkpoint = OptOut.Contracts.Audit.LogCheckpoint.Parse(OptOut.Contracts.Audit.SignedNote.Parse(signed)!.Value.Text)!;
        for (var i = 0; i < 100 && !(measured.TryGetValue("optout.audit.log.size", out var sizes) && sizes.Max() >= checkpoint.Size); i++)
        {
            listener.RecordObservableInstruments();
            await Task.Delay(100);
        }

        var size = measured["optout.audit.log.size"].Max();
        Assert.True(size >= checkpoint.Size, $"the gauge says {size}, a checkpoint already signed {checkpoint.Size}");
        Assert.All(measured["optout.audit.map.lag"], lag => Assert.InRange(lag, 0, size));
    }

    [Fact]
    public async Task Request_traces_carry_the_route_but_never_the_NHS_number()
    {
        var tags = new ConcurrentBag<KeyValuePair<string, string?>>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name is "Microsoft.AspNetCore" or "Marten" or "MassTransit",
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                foreach (var tag in activity.Tags)
                {
                    tags.Add(tag);
                }
            },
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);

        var nhs = TestPatients.NewNhsNumber();
        await service.As("patient", nhs).PutOptOutAsync(nhs, new { optedOut = true, channel = "online" });
        await service.As("patient", nhs).GetAsync($"/v1/patients/{nhs}/preferences");
        await service.StatusAsync(nhs); // published by now, so the broker's spans are in too
        // A span reaches the listener when it stops, which may be just after its response: wait for the one looked for.
        var masked = $"/v1/patients/*******{nhs[7..]}/preferences";
        for (var i = 0; i < 100 && !tags.Any(t => t.Key == "url.path" && t.Value == masked); i++)
        {
            await Task.Delay(50);
        }

        Assert.Contains(tags, t => t.Key == "url.path" && t.Value == masked);
        Assert.DoesNotContain(tags, t => t.Value?.Contains(nhs, StringComparison.Ordinal) == true);
        output.WriteLine(string.Join("\n", tags.Select(t => t.Key).Distinct().Order()));
    }
}
