using BenchmarkDotNet.Running;
using DirectoryConnector.Benchmarks.Sync;

// "sync": the end-to-end benchmark against slapd and the Bitwarden stand-in; anything else goes to BenchmarkDotNet.
return args.FirstOrDefault() switch
{
    "sync" => await SyncBenchmark.RunAsync(args[1..]),
    _ => Run(args),
};

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    return 0;
}
