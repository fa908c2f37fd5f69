using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Hosting;

[Collection(OptOutServiceGroup.Name)]
public class MetricsTests(OptOutService service)
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
    }
}
