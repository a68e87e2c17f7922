using System.DirectoryServices.Protocols;
using System.Formats.Asn1;

namespace DirectoryConnector.Engine.Sources.Ldap;

/// <summary>
/// The controls of LDAP Content Synchronization (RFC 4533 §2.2–2.5), which System.DirectoryServices.Protocols does
/// not know: the Sync Request control a client sends with a search and the Sync Done control that ends a refresh.
/// BER with System.Formats.Asn1.
/// </summary>
internal static class ContentSyncControl
{
    /// <summary>Sync Request control (RFC 4533 §2.2), listed in a supporting server's root DSE supportedControl.</summary>
    public const string RequestOid = "1.3.6.1.4.1.4203.1.9.1.1";

    /// <summary>Sync Done control (RFC 4533 §2.4), attached to the SearchResultDone of a refresh.</summary>
    public const string DoneOid = "1.3.6.1.4.1.4203.1.9.1.3";

    /// <summary>e-syncRefreshRequired (RFC 4533 §2.6): the server cannot resume from the cookie; the client must reload.</summary>
    public const int RefreshRequired = 4096;

    /// <summary>A critical refreshOnly Sync Request: syncRequestValue ::= SEQUENCE { mode ENUMERATED { refreshOnly (1),
    /// refreshAndPersist (3) }, cookie syncCookie OPTIONAL, reloadHint BOOLEAN DEFAULT FALSE }.</summary>
    /// <param name="cookie">The cookie of the last refresh; null for an initial refresh (the server lists the whole content).</param>
    public static DirectoryControl RefreshOnly(byte[]? cookie)
    {
        var writer = new AsnWriter(AsnEncodingRules.BER);
        using (writer.PushSequence())
        {
            writer.WriteEnumeratedValue(SyncMode.RefreshOnly);
            if (cookie is not null)
            {
                writer.WriteOctetString(cookie);
            }
        }

        // Critical: a server that cannot synchronize this search must refuse it, never answer it as a plain search.
        return new DirectoryControl(RequestOid, writer.Encode(), isCritical: true, serverSide: true);
    }

    /// <summary>The Sync Done control of <paramref name="response"/>: syncDoneValue ::= SEQUENCE { cookie syncCookie
    /// OPTIONAL, refreshDeletes BOOLEAN DEFAULT FALSE }; null when there is none or it is not that shape.</summary>
    public static SyncDone? Done(SearchResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var control = response.Controls.FirstOrDefault(c => c.Type == DoneOid);
        if (control is null)
        {
            return null;
        }

        try
        {
            var reader = new AsnReader(control.GetValue(), AsnEncodingRules.BER);
            var sequence = reader.ReadSequence();
            byte[]? cookie = null;
            var refreshDeletes = false;
            if (sequence.HasData && sequence.PeekTag().HasSameClassAndValue(Asn1Tag.PrimitiveOctetString))
            {
                cookie = sequence.ReadOctetString();
            }

            if (sequence.HasData)
            {
                refreshDeletes = sequence.ReadBoolean();
            }

            sequence.ThrowIfNotEmpty();
            reader.ThrowIfNotEmpty();
            return new SyncDone(cookie is { Length: > 0 } ? cookie : null, refreshDeletes);
        }
        catch (AsnContentException)
        {
            return null;
        }
    }

    private enum SyncMode
    {
        RefreshOnly = 1,
    }
}
