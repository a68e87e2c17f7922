using BenchmarkDotNet.Running;

if (args is ["operator-idle", .. var idleArgs])
{
    return await DirectoryConnector.Benchmarks.OperatorIdleFootprint.RunAsync(idleArgs);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
