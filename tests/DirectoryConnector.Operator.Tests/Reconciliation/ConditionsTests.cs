using DirectoryConnector.Operator.Reconciliation;
using FluentAssertions;
using k8s.Models;
using Xunit;

namespace DirectoryConnector.Operator.Tests.Reconciliation;

public sealed class ConditionsTests
{
    private static readonly DateTime T0 = new(2026, 11, 22, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void LastTransitionTimeMovesOnlyWhenTheStatusFlips()
    {
        var conditions = new List<V1Condition>();
        Conditions.Set(conditions, "Ready", "True", "Synced", "Synced 3 users", 1, T0).Should().BeTrue();

        Conditions.Set(conditions, "Ready", "True", "UpToDate", "Up to date", 2, T0.AddMinutes(15)).Should().BeTrue();
        conditions.Single().LastTransitionTime.Should().Be(T0, "reason, message and generation changes are not transitions");
        conditions.Single().Reason.Should().Be("UpToDate");
        conditions.Single().ObservedGeneration.Should().Be(2);

        Conditions.Set(conditions, "Ready", "False", "SourceUnavailable", "ldap down", 2, T0.AddMinutes(30)).Should().BeTrue();
        conditions.Single().LastTransitionTime.Should().Be(T0.AddMinutes(30));
    }

    [Fact]
    public void SettingTheSameConditionAgainReportsNoChange()
    {
        var conditions = new List<V1Condition>();
        Conditions.Set(conditions, "Ready", "True", "Synced", "ok", 1, T0);
        Conditions.Set(conditions, "Ready", "True", "Synced", "ok", 1, T0.AddHours(1)).Should().BeFalse();
        conditions.Single().LastTransitionTime.Should().Be(T0);
    }

    [Fact]
    public void ConditionsOfOtherTypesAreKeptApartAndTimesHaveSecondPrecision()
    {
        var conditions = new List<V1Condition>();
        Conditions.Set(conditions, "Ready", "True", "Synced", "ok", 1, T0.AddTicks(1234567));
        Conditions.Set(conditions, "Stalled", "False", "Synced", "ok", 1, T0);
        conditions.Select(c => c.Type).Should().Equal("Ready", "Stalled");
        conditions[0].LastTransitionTime.Should().Be(T0);
    }
}
