using DirectoryConnector.Engine.Sources.Filters;

namespace DirectoryConnector.Engine.Sources.OneLogin;

/// <summary>What the OneLogin source needs from the spec besides the connection.</summary>
internal sealed record OneLoginSourceOptions(
    SourceFilter UserFilter,
    SourceFilter GroupFilter,
    bool UseEmailPrefixSuffix,
    string? EmailSuffix,
    bool RemoveDisabled);
