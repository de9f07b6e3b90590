using System.Buffers;
using System.Buffers.Text;
using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Engine.Policy.AccessLists;
using ServerlessTracker.Engine.Policy.Factors;
using ServerlessTracker.Engine.Policy.Passkeys;

namespace ServerlessTracker.Engine.Policy;

/// <summary>Who may announce and scrape, protocol-neutral: private mode, the IP allow-list, client and info-hash lists, leech control;
/// and the per-passkey accounting of what was allowed.</summary>
/// <remarks>
/// Every check reads only memory (passkeys, lists and the IP allow-list are held here and refreshed from
/// their stores by <see cref="MaintainAsync"/>), costs a few dictionary probes and allocates nothing, so
/// HTTP and the UDP relay call it on every request. Order: passkey, client address, client (peer_id), torrent, ratio.
/// </remarks>
public sealed class AnnouncePolicy
{
    private static readonly StandardFormat TwoDecimals = new('F', 2);

    private readonly TimeProvider _time;
    private readonly TransferFactors _defaultFactors;

    public AnnouncePolicy(
        PrivateModeSettings privateMode,
        AccessSettings access,
        LeechControlSettings leechControl,
        PasskeyTable passkeys,
        InfoHashList infoHashes,
        IpAllowList ipAllowList,
        TimeProvider time,
        ClientList clients,
        TorrentFactors factors)
    {
        PrivateMode = privateMode;
        Access = access;
        LeechControl = leechControl;
        Passkeys = passkeys;
        InfoHashes = infoHashes;
        IpAllowList = ipAllowList;
        Clients = clients;
        Factors = factors;
        _defaultFactors = privateMode.DefaultFactors();
        _time = time;
    }

    public PrivateModeSettings PrivateMode { get; }

    public AccessSettings Access { get; }

    public LeechControlSettings LeechControl { get; }

    public PasskeyTable Passkeys { get; }

    public InfoHashList InfoHashes { get; }

    public IpAllowList IpAllowList { get; }

    /// <summary>The client allow and deny lists (peer_id prefixes); announces only, as scrapes carry no peer_id.</summary>
    public ClientList Clients { get; }

    /// <summary>Per-torrent upload and download factors (freeleech, double upload) applied to passkey accounting.</summary>
    public TorrentFactors Factors { get; }

    /// <summary>A policy over in-memory stores: the standalone default, and handy in tests.</summary>
    public static AnnouncePolicy InMemory(TimeProvider time, PrivateModeSettings? privateMode = null, AccessSettings? access = null, LeechControlSettings? leechControl = null) =>
        new(privateMode ?? new(), access ?? new(), leechControl ?? new(),
            new PasskeyTable(new InMemoryPasskeyStore(), time), new InfoHashList(new InMemoryInfoHashListStore(), time),
            new IpAllowList(new InMemoryIpAllowListStore(), time), time,
            new ClientList(new InMemoryClientListStore(), time), new TorrentFactors(new InMemoryTorrentFactorStore(), time));

    /// <summary>Decides an announce from the address it names. <paramref name="passkey"/> is the passkey as the client sent it (ASCII bytes), empty when none.</summary>
    public PolicyDecision CheckAnnounce(ReadOnlySpan<byte> passkey, in AnnounceCommand command) => CheckAnnounce(passkey, command, command.Address);

    /// <summary>Decides an announce; <paramref name="client"/> is the address the request came from, which the IP allow-list
    /// judges (it differs from the command's address only when a claimed address is honoured).</summary>
    public PolicyDecision CheckAnnounce(ReadOnlySpan<byte> passkey, in AnnounceCommand command, PeerAddress client)
    {
        var access = CheckAccess(passkey, client);
        if (!access.IsAllowed)
        {
            return access;
        }

        var verdict = Clients.Check(command.PeerId, out var clientRule);
        if (verdict != PolicyVerdict.Allowed)
        {
            return new PolicyDecision(verdict, access.Account, clientRule);
        }

        verdict = InfoHashes.Check(command.InfoHash, Access.InfoHashAllowListOnly);
        if (verdict != PolicyVerdict.Allowed)
        {
            return new PolicyDecision(verdict, access.Account, clientRule);
        }

        if (LeechControl.Enabled && access.Account is { } account && !command.IsSeeder && IsBelowRatio(account))
        {
            return new PolicyDecision(PolicyVerdict.RatioTooLow, account, clientRule);
        }

        if (access.Account is null)
        {
            return clientRule is null ? access : new PolicyDecision(PolicyVerdict.Allowed, null, clientRule);
        }

        // Resolved while deciding, so the credit made once the store took the announce uses the factors of this moment.
        return new PolicyDecision(PolicyVerdict.Allowed, access.Account, clientRule, Factors.Resolve(command.InfoHash, _defaultFactors));
    }

    /// <summary>Decides a scrape: passkey and client address (torrents are filtered one by one with <see cref="IsServed"/>).</summary>
    public PolicyDecision CheckScrape(ReadOnlySpan<byte> passkey, PeerAddress client) => CheckAccess(passkey, client);

    /// <summary>Whether the tracker serves this torrent (deny list, and the allow list when it alone applies).</summary>
    public bool IsServed(InfoHash hash) => InfoHashes.Check(hash, Access.InfoHashAllowListOnly) == PolicyVerdict.Allowed;

    /// <summary>Credits an allowed announce's transfer deltas to its passkey, by the decision's factors (when it had a passkey
    /// and the store took the announce). The one place deltas become figures: factors are applied here and nowhere else.</summary>
    public static void Account(in PolicyDecision decision, AnnounceResult result)
    {
        if (decision.Account is { } account && result.Status == AnnounceStatus.Ok)
        {
            account.Add(result.UploadedDelta, result.DownloadedDelta, decision.Factors);
        }
    }

    /// <summary>Longest reason <see cref="WriteReason"/> writes, in bytes.</summary>
    public const int MaxReasonLength = 256;

    /// <summary>Writes a refusal's reason as UTF-8 text (for a <c>failure reason</c> or an error packet); returns its length.</summary>
    public int WriteReason(in PolicyDecision decision, Span<byte> destination)
    {
        ReadOnlySpan<byte> text = decision.Verdict switch
        {
            PolicyVerdict.PasskeyRequired => "this is a private tracker: announce with your passkey (/announce/<passkey>)"u8,
            PolicyVerdict.PasskeyUnknown => "unknown passkey"u8,
            PolicyVerdict.PasskeyRevoked => "passkey revoked"u8,
            PolicyVerdict.InfoHashNotAllowed => "torrent not registered with this tracker"u8,
            PolicyVerdict.InfoHashDenied => "torrent not allowed on this tracker"u8,
            PolicyVerdict.AddressNotAllowed => "your address is not allowed to use this tracker"u8,
            PolicyVerdict.RatioTooLow => default,
            PolicyVerdict.ClientNotAllowed => "client not allowed: not on this tracker's client allow list"u8,
            PolicyVerdict.ClientDenied => "client not allowed: "u8,
            _ => "refused"u8,
        };

        if (decision.Verdict == PolicyVerdict.ClientDenied && decision.ClientRule is { } rule)
        {
            // Names the rule, so a user knows which client (version) to replace. Prefixes are at most 20 ASCII characters.
            var start = Append(destination, 0, text);
            return start + System.Text.Encoding.ASCII.GetBytes(rule.Prefix, destination[start..]);
        }

        if (decision.Verdict != PolicyVerdict.RatioTooLow || decision.Account is not { } account)
        {
            text.CopyTo(destination);
            return text.Length;
        }

        var uploaded = account.Uploaded;
        var downloaded = account.Downloaded;
        var written = Append(destination, 0, "ratio "u8);
        written += Format(downloaded == 0 ? 0 : (double)uploaded / downloaded, destination[written..]);
        written += Append(destination, written, " is below the minimum "u8);
        written += Format(LeechControl.MinRatio, destination[written..]);
        written += Append(destination, written, " (uploaded "u8);
        written += Format(uploaded / (1024.0 * 1024 * 1024), destination[written..]);
        written += Append(destination, written, " GiB, downloaded "u8);
        written += Format(downloaded / (1024.0 * 1024 * 1024), destination[written..]);
        written += Append(destination, written, " GiB): seed to raise it"u8);
        return written;
    }

    /// <summary>Loads passkeys and lists from their stores; call once at start.</summary>
    public async ValueTask InitializeAsync(CancellationToken cancellationToken)
    {
        await Passkeys.RefreshAsync(cancellationToken);
        await InfoHashes.RefreshAsync(cancellationToken);
        await IpAllowList.RefreshAsync(cancellationToken);
        await Clients.RefreshAsync(cancellationToken);
        await Factors.RefreshAsync(cancellationToken);
    }

    /// <summary>One maintenance round: write this instance's figures and IP use, retire expired IP entries, re-read everything.</summary>
    public async ValueTask<PolicyMaintenanceReport> MaintainAsync(CancellationToken cancellationToken)
    {
        var passkeysFlushed = await Passkeys.FlushAsync(cancellationToken);
        var ipsFlushed = await IpAllowList.FlushAsync(cancellationToken);
        await Passkeys.RefreshAsync(cancellationToken);
        await InfoHashes.RefreshAsync(cancellationToken);
        await IpAllowList.RefreshAsync(cancellationToken);
        await Clients.RefreshAsync(cancellationToken);
        await Factors.RefreshAsync(cancellationToken);
        var retired = await IpAllowList.RetireExpiredAsync(Access.IpAllowListExpirySeconds, cancellationToken);
        return new PolicyMaintenanceReport(passkeysFlushed, ipsFlushed, retired);
    }

    private PolicyDecision CheckAccess(ReadOnlySpan<byte> passkey, PeerAddress client)
    {
        var account = passkey.IsEmpty ? null : Passkeys.Find(passkey);
        if (PrivateMode.Enabled)
        {
            if (passkey.IsEmpty)
            {
                return new PolicyDecision(PolicyVerdict.PasskeyRequired);
            }

            if (account is null)
            {
                return new PolicyDecision(PolicyVerdict.PasskeyUnknown);
            }

            if (account.IsRevoked)
            {
                return new PolicyDecision(PolicyVerdict.PasskeyRevoked);
            }
        }
        else if (account is { IsRevoked: true })
        {
            // Open mode: a revoked passkey is no reason to refuse, only to stop accounting.
            account = null;
        }

        if (Access.IpAllowListEnabled && IpAllowList.Find(client, UnixTime.Now(_time), Access.IpAllowListExpirySeconds) is null)
        {
            return new PolicyDecision(PolicyVerdict.AddressNotAllowed, account);
        }

        return PolicyDecision.Allow(account);
    }

    private bool IsBelowRatio(PasskeyAccount account)
    {
        var downloaded = account.Downloaded;
        return downloaded >= LeechControl.GraceBytes && downloaded > 0 && account.Uploaded < LeechControl.MinRatio * downloaded;
    }

    private static int Append(Span<byte> destination, int offset, ReadOnlySpan<byte> text)
    {
        text.CopyTo(destination[offset..]);
        return text.Length;
    }

    private static int Format(double value, Span<byte> destination) =>
        Utf8Formatter.TryFormat(value, destination, out var written, TwoDecimals) ? written : 0;
}

/// <summary>What one maintenance round wrote and retired.</summary>
public sealed record PolicyMaintenanceReport(int PasskeysFlushed, int IpEntriesFlushed, IReadOnlyList<string> IpEntriesRetired);
