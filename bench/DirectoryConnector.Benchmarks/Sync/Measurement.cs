namespace DirectoryConnector.Benchmarks.Sync;

/// <summary>One row of the table: one phase at one directory size.</summary>
/// <param name="Wall">Elapsed time of the measured process, seconds.</param>
/// <param name="Cpu">User + system CPU of the measured process, seconds.</param>
/// <param name="PeakRssMiB">Its peak resident set size, MiB (GNU time's %M).</param>
/// <param name="Posts">Import POSTs the Bitwarden stand-in accepted during the phase.</param>
/// <param name="BytesPosted">Bytes of those import bodies.</param>
/// <param name="StandInCpu">CPU the stand-in (this process) used during the phase, seconds.</param>
internal sealed record Measurement(int Users, string Phase, double Wall, double Cpu, double PeakRssMiB, int Posts, long BytesPosted, double StandInCpu)
{
    /// <summary>The median of each column over runs of one phase (an odd number of them).</summary>
    public static Measurement Median(IReadOnlyList<Measurement> runs)
    {
        static T Middle<T>(IEnumerable<T> values) where T : IComparable<T>
        {
            var sorted = values.Order().ToList();
            return sorted[sorted.Count / 2];
        }

        return new Measurement(runs[0].Users, runs[0].Phase, Middle(runs.Select(r => r.Wall)), Middle(runs.Select(r => r.Cpu)), Middle(runs.Select(r => r.PeakRssMiB)),
            Middle(runs.Select(r => r.Posts)), Middle(runs.Select(r => r.BytesPosted)), Middle(runs.Select(r => r.StandInCpu)));
    }
}
