using BenchmarkDotNet.Running;
using DirectoryConnector.Benchmarks.Sync;

// "sync": the end-to-end benchmark against slapd and the Bitwarden stand-in; "operator-idle": the operator's idle
// footprint; anything else goes to BenchmarkDotNet.
return args switch
{
    ["sync", .. var syncArgs] => await SyncBenchmark.RunAsync(syncArgs),
    ["operator-idle", .. var idleArgs] => await DirectoryConnector.Benchmarks.OperatorIdleFootprint.RunAsync(idleArgs),
    _ => Run(args),
};

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    return 0;
}
