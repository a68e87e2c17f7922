using DirectoryConnector.Engine.Configuration;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Configuration;

public sealed class DurationFormatTests
{
    [Theory]
    [InlineData("15m", 15 * 60)]
    [InlineData("1h30m", 90 * 60)]
    [InlineData("90s", 90)]
    [InlineData("1.5h", 90 * 60)]
    [InlineData("2h0m5s", 7205)]
    [InlineData("1500ms", 1.5)]
    [InlineData("0", 0)]
    public void ParsesGoStyleDurations(string text, double seconds)
    {
        DurationFormat.TryParse(text, out var duration).Should().BeTrue();
        duration.Should().Be(TimeSpan.FromSeconds(seconds));
    }

    [Theory]
    [InlineData("")]
    [InlineData("15")]
    [InlineData("15 minutes")]
    [InlineData("-5m")]
    [InlineData("1d")]
    [InlineData("m")]
    [InlineData("PT15M")]
    public void RejectsWhatIsNotADuration(string text)
        => DurationFormat.TryParse(text, out _).Should().BeFalse();

    [Theory]
    [InlineData(90 * 60, "1h30m")]
    [InlineData(90, "1m30s")]
    [InlineData(15 * 60, "15m")]
    [InlineData(26 * 3600, "26h")]
    [InlineData(0, "0s")]
    [InlineData(1.5, "1.5s")]
    public void FormatsCompactly(double seconds, string expected)
        => DurationFormat.Format(TimeSpan.FromSeconds(seconds)).Should().Be(expected);

    [Theory]
    [InlineData("1h30m")]
    [InlineData("45s")]
    [InlineData("3h5m7s")]
    public void RoundTrips(string text)
    {
        DurationFormat.TryParse(text, out var duration).Should().BeTrue();
        DurationFormat.Format(duration).Should().Be(text);
    }
}
