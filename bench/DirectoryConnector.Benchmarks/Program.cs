using BenchmarkDotNet.Running;
using DirectoryConnector.Benchmarks.Sync;

// "sync": the end-to-end benchmark against slapd and the Bitwarden stand-in; "startup": the CLI's start-up on the
// incremental no-change sync; "operator-idle": the operator's idle footprint; anything else goes to BenchmarkDotNet.
return args switch
{
    ["sync", .. var syncArgs] => await SyncBenchmark.RunAsync(syncArgs),
    ["bare-read", var port] => BareRead(int.Parse(port, System.Globalization.CultureInfo.InvariantCulture)),
    ["startup", .. var startupArgs] => await StartupBenchmark.RunAsync(startupArgs),
    ["operator-idle", .. var idleArgs] => await DirectoryConnector.Benchmarks.OperatorIdleFootprint.RunAsync(idleArgs),
    _ => Run(args),
};

// The sync benchmark's floor, in a process of its own: the same entries read with bare S.DS.P.
static int BareRead(int port)
{
    Console.WriteLine(ReadProfile.BareSearch(port));
    return 0;
}

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    return 0;
}
