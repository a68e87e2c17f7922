using System.Globalization;
using System.Text;

namespace DirectoryConnector.Engine.Configuration;

/// <summary>Go-style durations as Kubernetes writes them: <c>90s</c>, <c>15m</c>, <c>1h30m</c>, <c>1.5h</c>.</summary>
public static class DurationFormat
{
    /// <summary>The same grammar as a regular expression, for the CRD's schema.</summary>
    public const string Pattern = "^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$";

    /// <summary>Parses a sequence of decimal numbers each followed by a unit (ns, us, µs, ms, s, m, h).
    /// Returns false for empty input, a missing unit, an unknown unit or a negative value.</summary>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        if (s == "0")
        {
            return true;
        }

        decimal totalTicks = 0;
        var i = 0;
        while (i < s.Length)
        {
            var numberStart = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (i == numberStart
                || !decimal.TryParse(s.AsSpan(numberStart, i - numberStart), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            var unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.')
            {
                i++;
            }

            decimal? ticksPerUnit = s[unitStart..i] switch
            {
                "h" => TimeSpan.TicksPerHour,
                "m" => TimeSpan.TicksPerMinute,
                "s" => TimeSpan.TicksPerSecond,
                "ms" => TimeSpan.TicksPerMillisecond,
                "us" or "µs" or "μs" => TimeSpan.TicksPerMicrosecond,
                "ns" => 0.01m,
                _ => null,
            };
            if (ticksPerUnit is null)
            {
                return false;
            }

            totalTicks += number * ticksPerUnit.Value;
            if (totalTicks > TimeSpan.MaxValue.Ticks)
            {
                return false;
            }
        }

        duration = TimeSpan.FromTicks((long)totalTicks);
        return true;
    }

    /// <summary>Formats compactly, omitting zero units: <c>1h30m</c>, <c>90s</c> becomes <c>1m30s</c>, zero is <c>0s</c>.</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "Durations are never negative.");
        }

        if (duration == TimeSpan.Zero)
        {
            return "0s";
        }

        var text = new StringBuilder();
        var hours = (long)duration.TotalHours;
        if (hours > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{hours}h");
        }

        if (duration.Minutes > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{duration.Minutes}m");
        }

        var subMinuteTicks = duration.Ticks % TimeSpan.TicksPerMinute;
        if (subMinuteTicks > 0)
        {
            if (subMinuteTicks % TimeSpan.TicksPerSecond == 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"{subMinuteTicks / TimeSpan.TicksPerSecond}s");
            }
            else
            {
                text.Append(((decimal)subMinuteTicks / TimeSpan.TicksPerSecond).ToString("0.#######", CultureInfo.InvariantCulture)).Append('s');
            }
        }

        return text.ToString();
    }
}
