using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace DirectoryConnector.Engine.Configuration;

// The DirectorySync spec, shared by the CLI (read from a manifest) and the operator (the CRD's spec).
// Field names follow the original Bitwarden Directory Connector so configurations migrate as they are.
// [Description] texts become the CRD's field descriptions, so `kubectl explain` teaches the spec.

[Description("Keeps a Bitwarden organization's members and groups in sync with a company directory.")]
public sealed class DirectorySyncSpec
{
    /// <summary>The shortest interval: a sync every minute is already more than any directory changes.</summary>
    public const string MinimumInterval = "1m";

    [Description("How often the operator syncs, as a duration such as 15m or 1h30m. Minimum 1m.")]
    [RegularExpression(DurationFormat.Pattern)]
    [StringLength(64)]
    [MinimumDuration(MinimumInterval)]
    public string Interval { get; set; } = "15m";

    [Description("Stops syncing while true; the last synced state in Bitwarden is left as it is.")]
    public bool Suspend { get; set; }

    [Description("Runs the whole pipeline except the import POST, and records what would be sent in status.")]
    public bool DryRun { get; set; }

    [Description("Allows http:// URLs to hosts other than loopback (spec.bitwarden's URLs and the source's): the API key and "
        + "directory credentials then cross the network in clear text. Only for a TLS-terminating proxy on a network you trust; "
        + "the DirectorySync then carries an InsecureTransport condition.")]
    public bool AllowInsecureHttp { get; set; }

    [Required]
    [Description("The Bitwarden organization to sync into.")]
    public BitwardenSpec Bitwarden { get; set; } = new();

    [Required]
    [Description("The directory to read users and groups from. Set exactly one source.")]
    public SourceSpec Source { get; set; } = new();

    [Description("Which users and groups of the source to sync.")]
    public FiltersSpec Filters { get; set; } = new();

    [Description("What the sync sends and how it treats disabled and missing users.")]
    public SyncOptionsSpec Sync { get; set; } = new();
}
