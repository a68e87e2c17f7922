using System.Globalization;
using System.Net.Http;
using System.Security.Authentication;
using System.Text.RegularExpressions;
using Azure.Identity;
using DirectoryConnector.Engine.Http;
using DirectoryConnector.Engine.Sync;
using Microsoft.Graph.Models.ODataErrors;

namespace DirectoryConnector.Engine.Sources.EntraId;

/// <summary>
/// Turns Azure.Identity and Graph failures into sync failures that name the field to fix and never a secret.
/// Codes: learn.microsoft.com/entra/identity-platform/reference-error-codes (AADSTS) and learn.microsoft.com/graph/errors.
/// </summary>
internal static partial class EntraIdErrors
{
    private const string Path = "spec.source.entraId";
    private static readonly HttpService Graph = new("Microsoft Graph", $"{Path}.graphUrl", $"{Path}.caSecretRef");
    private static readonly HttpService Authority = new("Microsoft Entra ID", $"{Path}.authorityHost", $"{Path}.caSecretRef");

    /// <summary>Application permissions the source needs (admin consent), learn.microsoft.com/graph/permissions-reference.</summary>
    public const string Permissions = "User.Read.All and Group.Read.All (or GroupMember.Read.All)";

    public static SyncFailedException Translate(Exception exception, EntraIdEndpoints endpoints, bool certificate, bool administrativeUnits)
    {
        switch (exception)
        {
            case SyncFailedException failed:
                return failed;
            case AuthenticationFailedException auth:
                return FromLogin(auth, endpoints, certificate);
            case ODataError odata:
                return FromGraph(odata, endpoints, administrativeUnits);
            case var other when Graph.TransportFailure(other, "reading the directory", endpoints.GraphBaseUrl, CancellationToken.None) is { } failure:
                return failure;
            default:
                return new SyncFailedException(SyncFailureReason.SourceUnavailable, $"Reading Microsoft Entra ID failed: {exception.Message}", retryable: true, exception);
        }
    }

    private static SyncFailedException FromLogin(AuthenticationFailedException e, EntraIdEndpoints endpoints, bool certificate)
    {
        // Azure.Identity wraps MSAL's exception; the AADSTS code is in the inner message.
        var messages = string.Join(" ", Chain(e).Select(x => x.Message));
        var code = AadstsCode().Match(messages) is { Success: true } match ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : (int?)null;
        var credentialField = certificate ? $"{Path}.clientCertificateSecretRef" : $"{Path}.clientSecretRef";
        string? message = code switch
        {
            7000215 => $"Microsoft Entra ID rejected the client secret (AADSTS7000215): check {credentialField} holds the secret's value (not its id).",
            7000222 => $"The client secret has expired (AADSTS7000222): create a new one and update {credentialField}.",
            700027 or 700024 or 700023 => $"Microsoft Entra ID rejected the client certificate (AADSTS{code}): check {credentialField} holds a certificate registered on the application, with its private key.",
            700016 => $"Microsoft Entra ID knows no application with the id in {Path}.applicationId in this tenant (AADSTS700016): check {Path}.applicationId and {Path}.tenant.",
            90002 or 900023 or 90023 => $"Microsoft Entra ID knows no tenant named in {Path}.tenant (AADSTS{code}): use the tenant id or its primary domain, and the right {Path}.cloud.",
            1002012 or 70011 => $"Microsoft Entra ID refused the scope {endpoints.Scope} (AADSTS{code}): check {Path}.graphUrl and {Path}.cloud.",
            7000112 or 7000114 => $"The application in {Path}.applicationId is disabled (AADSTS{code}): enable it in the tenant.",
            null => null,
            _ => $"Microsoft Entra ID refused the client credentials (AADSTS{code}): check {Path}.tenant, {Path}.applicationId and {credentialField}.",
        };
        if (message is not null)
        {
            return new SyncFailedException(SyncFailureReason.SourceAuthFailed, message, retryable: false, e);
        }

        return Authority.TransportFailure(e, "signing in", endpoints.AuthorityHost, CancellationToken.None)
            ?? new SyncFailedException(SyncFailureReason.SourceAuthFailed, $"Signing in to Microsoft Entra ID at {endpoints.AuthorityHost} failed: check {Path}.tenant, {Path}.applicationId and {credentialField}.", retryable: true, e);
    }

    private static SyncFailedException FromGraph(ODataError e, EntraIdEndpoints endpoints, bool administrativeUnits)
    {
        var status = e.ResponseStatusCode;
        var code = e.Error?.Code ?? "";
        var detail = $"{status} {code}: {e.Error?.Message}".TrimEnd(' ', ':');
        var permissions = administrativeUnits ? Permissions + ", and AdministrativeUnit.Read.All for administrative-unit filters" : Permissions;
        return status switch
        {
            401 => new SyncFailedException(SyncFailureReason.SourceAuthFailed,
                $"Microsoft Graph refused the application's token even after a fresh one was fetched ({detail}): check {Path}.tenant and {Path}.cloud match the tenant that owns {Path}.graphUrl.", retryable: true, e),
            403 => new SyncFailedException(SyncFailureReason.SourceAuthFailed,
                $"Microsoft Graph denied the application ({detail}): grant the application in {Path}.applicationId the Microsoft Graph application permissions {permissions}, with admin consent.", retryable: false, e),
            429 or 503 or 504 => new SyncFailedException(SyncFailureReason.SourceUnavailable,
                $"Microsoft Graph kept throttling or was unavailable through every retry honouring Retry-After ({detail}); the next sync tries again.", retryable: true, e),
            >= 500 => new SyncFailedException(SyncFailureReason.SourceUnavailable, $"Microsoft Graph failed ({detail}); the next sync tries again.", retryable: true, e),
            _ => new SyncFailedException(SyncFailureReason.SourceQueryFailed, $"Microsoft Graph rejected the query ({detail}).", retryable: false, e),
        };
    }

    private static IEnumerable<Exception> Chain(Exception e)
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            yield return current;
        }
    }

    [GeneratedRegex(@"AADSTS(\d+)")]
    private static partial Regex AadstsCode();
}
