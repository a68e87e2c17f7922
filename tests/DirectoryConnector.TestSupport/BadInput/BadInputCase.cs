namespace DirectoryConnector.TestSupport.BadInput;

/// <summary>
/// One bad input: where it is refused, what the user reads (<see cref="Message"/>: fragments separated by " … " that
/// appear in this order), and the fix README gives. <see cref="Lines"/> replaces lines of
/// <see cref="BadInputCatalog.Manifest"/>'s spec (key: the line's first word); <see cref="Documents"/> follow the
/// DirectorySync. Sync and Operator cases are set up by their test, which finds them by <see cref="Input"/>.
/// </summary>
public sealed record BadInputCase(BadInputLayer Layer, string Input, string Message, string Fix)
{
    public IReadOnlyDictionary<string, string> Lines { get; init; } = new Dictionary<string, string>();

    public string Documents { get; init; } = BadInputCatalog.BindSecret;

    /// <summary>Manifest: how the manifest file is written (UTF-8 when null), e.g. in another encoding.</summary>
    public Func<string, byte[]>? Bytes { get; init; }

    /// <summary>Sync: the exit code of `sync` (0: synced without the entry, which is named on stderr).</summary>
    public int ExitCode { get; init; } = 2;

    /// <summary>Only the CLI meets it (its files, its --state): no operator column in README.</summary>
    public bool CliOnly { get; init; }

    /// <summary>Operator: the Ready condition's reason.</summary>
    public string? Reason { get; init; }

    /// <summary>The fragments of <see cref="Message"/>, in order.</summary>
    public IReadOnlyList<string> Fragments => Message.Split(" … ");

    /// <summary>Where README says the message appears.</summary>
    public string Where => Layer switch
    {
        BadInputLayer.Admission => "`kubectl apply` (the CRD)",
        BadInputLayer.Manifest => CliOnly ? "`test`/`sync` (exit 2)" : "`test`/`sync` (exit 2), operator `InvalidSpec`/`SecretNotFound`",
        BadInputLayer.Sync => ExitCode == 0 ? "`sync` stderr (exit 0: the rest is synced)" : $"`sync` (exit {ExitCode}){(CliOnly ? "" : ", operator status")}",
        _ => $"operator `Ready=False` `{Reason}`",
    };

    /// <summary>True when every fragment of <see cref="Message"/> is in <paramref name="text"/>, in order.</summary>
    public bool IsIn(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var at = 0;
        foreach (var fragment in Fragments)
        {
            var found = text.IndexOf(fragment, at, StringComparison.Ordinal);
            if (found < 0)
            {
                return false;
            }

            at = found + fragment.Length;
        }

        return true;
    }

    public override string ToString() => $"{Layer}: {Input}";
}
