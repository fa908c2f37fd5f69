using BenchmarkDotNet.Running;
using OptOut.Benchmarks;

// `infra/optout bench` runs `system` against a service it starts; `micro` runs the in-process BenchmarkDotNet suite.
switch (args.FirstOrDefault())
{
    case "micro":
        BenchmarkSwitcher.FromAssembly(typeof(IndexLookupBenchmarks).Assembly).Run(args.Skip(1).ToArray());
        return 0;
    case "sequencer-lock":
        // benchmarks/log/transparency-log.sh holds the sequencer off with this lock.
        Console.WriteLine(OptOut.Audit.Transparency.LogSequencer.LeaderLock);
        return 0;
    case "proofs":
        Console.WriteLine(await ProofBenchmark.RunAsync(Environment.GetEnvironmentVariable("ConnectionStrings__Marten")!));
        return 0;
    case "system" or "console" or "index" or "bulk" or "lookups" or "changes" or "lag" or "import":
        var benchmark = new SystemBenchmark(
            new Uri(Environment.GetEnvironmentVariable("OPTOUT_URL") ?? "http://127.0.0.1:5080"),
            Environment.GetEnvironmentVariable("Auth__DevelopmentSigningKey")!,
            Environment.GetEnvironmentVariable("ConnectionStrings__Marten")!,
            new Uri(Environment.GetEnvironmentVariable("ConnectionStrings__RabbitMq")!),
            int.Parse(Environment.GetEnvironmentVariable("OPTOUT_BENCH_SEED") ?? "3500000", System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(Environment.GetEnvironmentVariable("OPTOUT_BENCH_CHECK") ?? "10000000", System.Globalization.CultureInfo.InvariantCulture),
            TimeSpan.FromSeconds(int.Parse(Environment.GetEnvironmentVariable("OPTOUT_BENCH_SECONDS") ?? "15", System.Globalization.CultureInfo.InvariantCulture)));
        Console.WriteLine(args[0] switch
        {
            "console" => await benchmark.ConsoleAsync(),
            "system" => await benchmark.RunAsync(),
            var phase => await benchmark.PhaseAsync(phase),
        });
        return 0;
    default:
        Console.Error.WriteLine("usage: OptOut.Benchmarks micro [BenchmarkDotNet args] | system | console | index | bulk | lookups | changes | lag | import | proofs");
        return 2;
}
