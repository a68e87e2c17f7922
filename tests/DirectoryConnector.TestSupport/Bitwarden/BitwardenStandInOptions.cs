using System.Security.Cryptography.X509Certificates;

namespace DirectoryConnector.TestSupport.Bitwarden;

/// <summary>How the stand-in behaves: self-hosted Bitwarden by default; cloud or Vaultwarden traits on request.</summary>
public sealed class BitwardenStandInOptions
{
    public Guid OrganizationId { get; init; } = Guid.Parse("11111111-2222-3333-4444-555555555555");

    /// <summary>The organization API key's secret (a fake; never a real key).</summary>
    public string ClientSecret { get; init; } = "standInSecret-0123456789abcdef";

    /// <summary>Self-hosted: no 2000-entry limit and no autoscaling. Cloud (false): "You cannot import this much data at once."
    /// without largeImport, and seats autoscale up to the organization's MaxAutoscaleSeats.</summary>
    public bool SelfHosted { get; init; } = true;

    /// <summary>Vaultwarden's token endpoint: device_identifier, device_name and device_type must be present.</summary>
    public bool RequireDeviceFields { get; init; }

    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>POSTs per second per service (identity, api) before answering 429 with Retry-After, as the cloud does (5). Null: off.</summary>
    public int? RateLimitPerSecond { get; init; }

    /// <summary>The cloud's per-minute limits per client: 10 token requests, 60 API POSTs (and DELETEs), 200 API GETs;
    /// over them 429 with Retry-After 60.</summary>
    public bool CloudRateLimits { get; init; }

    /// <summary>Not the real server (it lists every member and group in one response): pages GET /public/members and
    /// /public/groups with a continuationToken, as the public events endpoint does. Null: one response.</summary>
    public int? ListPageSize { get; init; }

    /// <summary>Serves under a path such as "/bitwarden" to exercise base URLs with a path.</summary>
    public string PathPrefix { get; init; } = "";

    /// <summary>Server feature flag pm-34423-staged-status: inviteUsersAfterProvisioning=false creates Staged members.</summary>
    public bool StagedStatusFeature { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Serves HTTPS with this certificate (e.g. one a TestCertificates CA issued) instead of plain HTTP.</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>A fixed port (0: any free one), for cases that name the URL in a manifest.</summary>
    public int Port { get; init; }
}
