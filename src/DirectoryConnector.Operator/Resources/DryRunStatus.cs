using System.ComponentModel;
using DirectoryConnector.Engine.Configuration;
using k8s;
using k8s.Models;

namespace DirectoryConnector.Operator.Resources;

[Description("What a dry run would have sent.")]
public sealed class DryRunStatus
{
    [Description("Members that would be sent (including removals).")]
    public int Members { get; set; }

    [Description("Members that would be removed.")]
    public int RemovedMembers { get; set; }

    [Description("Groups that would be sent.")]
    public int Groups { get; set; }

    [Description("Import requests that would be posted.")]
    public int Requests { get; set; }

    [Description("A bounded sample of the member emails that would be sent.")]
    public IList<string> SampleMembers { get; set; } = [];

    [Description("A bounded sample of the group names that would be sent.")]
    public IList<string> SampleGroups { get; set; } = [];

    [Description("A bounded sample of the directory entries the sync would leave out, each as \"<kind> <entry>: <reason>\", like status.sampleSkipped.")]
    public IList<string> SampleSkipped { get; set; } = [];

    [Description("What the sync would change in the organization (would add, re-enable, remove, rename groups, change group memberships, leave out for a conflict), counted from the organization read exactly as a sync counts status.lastChanges; absent when the organization was not read.")]
    public ChangesStatus? Changes { get; set; }
}
