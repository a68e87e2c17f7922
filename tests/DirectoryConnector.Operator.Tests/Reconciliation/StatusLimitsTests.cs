using System.Collections;
using System.Reflection;
using System.Text;
using DirectoryConnector.Operator.Reconciliation;
using DirectoryConnector.Operator.Resources;
using FluentAssertions;
using k8s;
using k8s.Models;
using Xunit;

namespace DirectoryConnector.Operator.Tests.Reconciliation;

/// <summary>However much a sync reports, status stays small: every list and message in it is capped.</summary>
public sealed class StatusLimitsTests
{
    [Fact]
    public void EveryListInStatusAndEveryConditionMessageIsCapped()
    {
        var status = new DirectorySyncStatus
        {
            Conditions = [new V1Condition { Type = "Ready", Status = "False", Reason = "BitwardenImportFailed", Message = new string('m', 100_000) }],
        };
        var lists = Fill(status);

        StatusLimits.Apply(status);

        lists.Should().BeGreaterThanOrEqualTo(5, "dryRun, lastChanges and deletionGuard hold sample lists");
        foreach (var list in Lists(status))
        {
            list.Count.Should().BeLessThanOrEqualTo(StatusLimits.MaxEntries);
            list.Should().OnlyContain(entry => entry.Length <= StatusLimits.MaxEntryLength);
        }

        status.Conditions![0].Message.Length.Should().BeLessThanOrEqualTo(StatusLimits.MaxMessageLength);
        status.Conditions[0].Message.Should().EndWith("(truncated)");
        Encoding.UTF8.GetByteCount(KubernetesJson.Serialize(status)).Should().BeLessThan(96 * 1024);
    }

    /// <summary>Sets every nested status object and fills every list of strings with 1000 long entries; returns how many lists.</summary>
    private static int Fill(object value)
    {
        var count = 0;
        foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var type = property.PropertyType;
            if (type == typeof(IList<string>))
            {
                property.SetValue(value, Enumerable.Range(0, 1000).Select(i => $"{i}:" + new string('x', 5000)).ToList());
                count++;
            }
            else if (type.IsClass && type != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(type) && type.Namespace == typeof(DirectorySyncStatus).Namespace)
            {
                var nested = Activator.CreateInstance(type)!;
                property.SetValue(value, nested);
                count += Fill(nested);
            }
        }

        return count;
    }

    private static IEnumerable<IList<string>> Lists(object value)
    {
        foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            switch (property.GetValue(value))
            {
                case IList<string> list:
                    yield return list;
                    break;
                case { } nested when nested.GetType().Namespace == typeof(DirectorySyncStatus).Namespace:
                    foreach (var inner in Lists(nested))
                    {
                        yield return inner;
                    }

                    break;
            }
        }
    }
}
