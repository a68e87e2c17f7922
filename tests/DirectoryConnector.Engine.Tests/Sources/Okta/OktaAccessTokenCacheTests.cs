using DirectoryConnector.Engine.Sources.Okta;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Sources.Okta;

/// <summary>The process-wide cache of service-app tokens: keyed so apps and keys never share, bounded, and honest
/// about expiry. The syncs that use it are in <see cref="OktaSyncTests"/>.</summary>
public sealed class OktaAccessTokenCacheTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void A_token_is_returned_until_its_renewal_time_and_then_forgotten()
    {
        var cache = new OktaAccessTokenCache();
        var key = Key("app");
        cache.Set(key, Token("t", Now.AddMinutes(59)), Now);

        cache.Get(key, Now.AddMinutes(58))!.Value.Should().Be("t");
        cache.Get(key, Now.AddMinutes(59)).Should().BeNull();
        cache.Count.Should().Be(0);
    }

    [Fact]
    public void Every_part_of_the_key_separates_tokens()
    {
        var cache = new OktaAccessTokenCache();
        var key = Key("app");
        cache.Set(key, Token("t", Now.AddHours(1)), Now);

        OktaTokenCacheKey[] others =
        [
            key with { TokenUrl = "https://other.okta.com/oauth2/v1/token" },
            key with { ClientId = "other" },
            key with { Scopes = "okta.users.read" },
            key with { KeyThumbprint = "another-key" },
            key with { KeyId = "kid-2" },
            key with { Algorithm = "ES256" },
        ];

        others.Should().OnlyContain(other => cache.Get(other, Now) == null);
        cache.Get(key, Now).Should().NotBeNull();
    }

    [Fact]
    public void A_refused_token_is_removed_but_a_newer_one_another_sync_stored_stays()
    {
        var cache = new OktaAccessTokenCache();
        var key = Key("app");
        var refused = Token("old", Now.AddHours(1));
        cache.Set(key, refused, Now);
        var newer = Token("new", Now.AddHours(1));
        cache.Set(key, newer, Now);

        cache.Remove(key, refused);
        cache.Get(key, Now).Should().BeSameAs(newer);
        cache.Remove(key, newer);
        cache.Get(key, Now).Should().BeNull();
    }

    [Fact]
    public void The_cache_is_bounded_dropping_expired_tokens_first_then_the_soonest_to_expire()
    {
        var cache = new OktaAccessTokenCache();
        for (var i = 0; i < OktaAccessTokenCache.Capacity; i++)
        {
            cache.Set(Key($"app-{i}"), Token($"t{i}", Now.AddMinutes(10 + i)), Now);
        }

        cache.Set(Key("one-more"), Token("x", Now.AddHours(1)), Now);
        cache.Count.Should().Be(OktaAccessTokenCache.Capacity);
        cache.Get(Key("app-0"), Now).Should().BeNull("it was the soonest to expire");
        cache.Get(Key("app-1"), Now).Should().NotBeNull();

        // Twenty minutes on, apps 1..10 have expired: they make room, and nothing valid is dropped.
        var later = Now.AddMinutes(20);
        cache.Set(Key("late"), Token("y", later.AddHours(1)), later);
        cache.Count.Should().Be(OktaAccessTokenCache.Capacity - 10 + 1);
        cache.Get(Key("app-11"), later).Should().NotBeNull();
        cache.Get(Key("one-more"), later).Should().NotBeNull();
    }

    [Fact]
    public void A_cached_token_never_prints_its_value()
    {
        Token("eyJsecret", Now).ToString().Should().NotContain("eyJsecret");
    }

    private static OktaTokenCacheKey Key(string clientId) =>
        new("https://example.okta.com/oauth2/v1/token", clientId, OktaServiceApp.Scopes, "thumbprint", "kid-1", "RS256");

    private static OktaCachedToken Token(string value, DateTimeOffset renewAt) => new("Bearer", value, renewAt, Dpop: null);
}
