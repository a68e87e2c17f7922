using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources.EntraId;
using DirectoryConnector.TestSupport;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Sources.EntraId;

/// <summary>spec.source.entraId as the validator (the CLI's test/sync, the operator, admission) checks it: every
/// error names the field and what to do, before anything is read.</summary>
public sealed class EntraIdSpecValidationTests
{
    private static DirectorySyncSpec Spec(Action<EntraIdSourceSpec> change)
    {
        var entra = new EntraIdSourceSpec
        {
            Tenant = "contoso.onmicrosoft.com",
            ApplicationId = "11111111-1111-1111-1111-111111111111",
            ClientSecretRef = new SecretKeyRef { Name = "entra-app", Key = "client-secret" },
        };
        change(entra);
        return new DirectorySyncSpec
        {
            Bitwarden = new BitwardenSpec { ApiKeySecretRef = new ApiKeySecretRef { Name = "bitwarden-org-api-key" } },
            Source = new SourceSpec { EntraId = entra },
        };
    }

    private static List<string> Errors(Action<EntraIdSourceSpec> change)
        => [.. EngineServices.Validator.Validate(Spec(change)).Select(e => e.ToString())];

    [Fact]
    public void A_complete_spec_with_either_credential_has_no_errors()
    {
        Errors(_ => { }).Should().BeEmpty();
        Errors(s =>
        {
            s.ClientSecretRef = null;
            s.ClientCertificateSecretRef = new SecretKeyRef { Name = "entra-app-cert", Key = "tls.pem" };
            s.Cloud = EntraIdCloud.UsGovernment;
            s.AuthorityHost = "https://login.microsoftonline.us";
            s.GraphUrl = "https://graph.microsoft.us";
            s.CaSecretRef = new SecretKeyRef { Name = "corp-ca", Key = "ca.crt" };
        }).Should().BeEmpty();
    }

    [Theory]
    [InlineData("none", "spec.source.entraId: set exactly one of clientSecretRef (a client secret) or clientCertificateSecretRef (a certificate)")]
    [InlineData("both", "spec.source.entraId: clientSecretRef and clientCertificateSecretRef are both set: set exactly one of clientSecretRef (a client secret) or clientCertificateSecretRef (a certificate)")]
    [InlineData("tenant", "spec.source.entraId.tenant")]
    [InlineData("applicationId", "spec.source.entraId.applicationId")]
    [InlineData("authorityHost", "spec.source.entraId.authorityHost")]
    [InlineData("graphUrl", "spec.source.entraId.graphUrl")]
    [InlineData("secretKey", "spec.source.entraId.clientSecretRef")]
    public void A_bad_setting_is_refused_naming_its_field(string what, string error)
    {
        var errors = Errors(s =>
        {
            switch (what)
            {
                case "none": s.ClientSecretRef = null; break;
                case "both": s.ClientCertificateSecretRef = new SecretKeyRef { Name = "entra-app-cert", Key = "tls.pem" }; break;
                case "tenant": s.Tenant = " "; break;
                case "applicationId": s.ApplicationId = ""; break;
                case "authorityHost": s.AuthorityHost = "http://login.microsoftonline.com"; break;
                case "graphUrl": s.GraphUrl = "graph.microsoft.com"; break;
                case "secretKey": s.ClientSecretRef = new SecretKeyRef { Name = "entra-app", Key = "" }; break;
            }
        });

        errors.Should().ContainSingle().Which.Should().StartWith(error);
    }
}
