using System.Globalization;

namespace DirectoryConnector.Benchmarks;

/// <summary>The benchmarks' command-line options: <c>--name value</c> pairs and bare flags.</summary>
internal static class BenchArguments
{
    /// <summary>The whole number after <paramref name="name"/>; <paramref name="fallback"/> when absent.</summary>
    public static int Int(string[] args, string name, int fallback)
        => Value(args, name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    /// <summary>The comma-separated whole numbers after <paramref name="name"/> (<c>--users 10000,50000</c>).</summary>
    public static int[] Ints(string[] args, string name, int[] fallback)
        => Value(args, name) is { } value ? [.. value.Split(',').Select(size => int.Parse(size, CultureInfo.InvariantCulture))] : fallback;

    /// <summary>The value after <paramref name="name"/>; null when absent.</summary>
    public static string? Value(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
