using System.ComponentModel.DataAnnotations;
using System.Globalization;
using DirectoryConnector.Engine.Sources;

namespace DirectoryConnector.Engine.Planning;

/// <summary>
/// The server's limits on one import entry. The server validates the whole request at once and answers
/// "The model state is invalid" for a single bad entry, so every entry is checked here and only the bad one is left out.
/// </summary>
internal static class EntryValidation
{
    public const int MaxEmailLength = 256;
    public const int MaxExternalIdLength = 300;
    public const int MaxGroupNameLength = 100;

    // The server's own [EmailAddress] check, so that we reject exactly what it rejects.
    private static readonly EmailAddressAttribute EmailAddress = new();

    /// <summary>Trims, composes (NFC, as RFC 6532 §3.1 asks of internationalized addresses) and lowercases as the
    /// server compares emails; null when there is nothing left.</summary>
    public static string? NormalizeEmail(string? rawEmail)
    {
        var trimmed = rawEmail?.Trim();
        return string.IsNullOrEmpty(trimmed) ? null : DirectoryString.ComposeCanonical(trimmed).ToLowerInvariant();
    }

    /// <summary>Why a normalized email cannot be sent, or null when it can.</summary>
    /// <param name="origin">Where the address came from (<see cref="DirectoryUser.EmailOrigin"/>), named in the reason.</param>
    public static string? EmailProblem(string? email, string? origin = null)
    {
        if (email is null)
        {
            return origin is null ? "has no email address" : $"has no email address ({origin} is empty or missing)";
        }

        // Built only for a problem: most addresses have none.
        string From() => origin is null ? "" : $" (from {origin})";
        if (email.Length > MaxEmailLength)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"has an email address{From()} of {email.Length} characters; Bitwarden accepts at most {MaxEmailLength}");
        }

        if (!EmailAddress.IsValid(email))
        {
            return $"has an email address '{email}'{From()} that Bitwarden rejects as invalid (it needs exactly one '@', not at either end, and no line breaks)";
        }

        return MailboxSyntax.Problem(email) is { } problem
            ? $"has an email address '{email}'{From()} that is not a mailbox an invitation can reach: {problem}"
            : null;
    }

    /// <summary>Why an external id cannot be sent, or null when it can.</summary>
    public static string? ExternalIdProblem(string? externalId) => externalId switch
    {
        _ when string.IsNullOrWhiteSpace(externalId) => "has no external id",
        { Length: > MaxExternalIdLength } => string.Create(CultureInfo.InvariantCulture,
            $"has an external id of {externalId.Length} characters; Bitwarden accepts at most {MaxExternalIdLength}"),
        _ => null,
    };

    /// <summary>Why a group name cannot be sent, or null when it can.</summary>
    public static string? GroupNameProblem(string? name) => name switch
    {
        _ when string.IsNullOrWhiteSpace(name) => "has no name",
        { Length: > MaxGroupNameLength } => string.Create(CultureInfo.InvariantCulture,
            $"has a name of {name.Length} characters; Bitwarden accepts at most {MaxGroupNameLength}"),
        _ => null,
    };
}
