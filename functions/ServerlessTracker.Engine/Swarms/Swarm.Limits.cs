using ServerlessTracker.Engine.Peers;

namespace ServerlessTracker.Engine.Swarms;

/// <summary>What a swarm refuses or answers without a change: the caps an operator sets (peers per swarm, per passkey) and
/// re-announces inside min interval.</summary>
public sealed partial class Swarm
{
    /// <summary>How many live peers (seen at or after <paramref name="cutoff"/>) announced with <paramref name="owner"/>'s passkey.</summary>
    public int CountOwned(uint owner, uint cutoff) => CountOwned(_leechers, owner, cutoff) + CountOwned(_seeders, owner, cutoff);

    private static int CountOwned(PeerTable peers, uint owner, uint cutoff)
    {
        var owned = 0;
        for (var i = 0; i < peers.Count; i++)
        {
            if (peers.CountersAt(i).Owner == owner && peers[i].LastSeen >= cutoff)
            {
                owned++;
            }
        }

        return owned;
    }

    /// <summary>Whether a cap refuses a peer the swarm does not hold: the swarm is full, or the peer's passkey has its
    /// peers in it already. A linear count of the passkey's peers, paid only by a passkey's new peer.</summary>
    private AnnounceStatus RefusedNewcomer(in AnnounceCommand command, uint now, SwarmSettings settings, long peersHeld)
    {
        if (settings.MaxPeersPerSwarm > 0 && Math.Max(PeerCount, peersHeld) >= settings.MaxPeersPerSwarm)
        {
            return AnnounceStatus.SwarmFull;
        }

        return command.Owner != 0 && settings.MaxPeersPerPasskey > 0
            && CountOwned(command.Owner, UnixTime.Before(now, settings.PeerTtlSeconds)) >= settings.MaxPeersPerPasskey
                ? AnnounceStatus.PasskeyPeerLimit
                : AnnounceStatus.Ok;
    }

    /// <summary>A re-announce answered from the swarm and never written: the record was stored less than
    /// <see cref="SwarmSettings.RewriteWindowSeconds"/> (min interval) ago, and the announce is neither a <c>stopped</c> nor
    /// the peer's first counted <c>completed</c>. With <see cref="SwarmSettings.EnforceMinInterval"/> off, only a
    /// re-announce that changes nothing (<see cref="IsUnchangedReannounce"/>).</summary>
    private static bool IsAnsweredFromSwarm(in PeerEntry peer, in PeerCounters counters, bool seeder, in AnnounceCommand command, uint now, SwarmSettings settings)
    {
        if ((long)peer.LastSeen + settings.RewriteWindowSeconds <= now || command.Event == PeerEvent.Stopped)
        {
            return false;
        }

        return settings.EnforceMinInterval
            ? command.Event != PeerEvent.Completed || (peer.Flags & PeerFlags.CountedComplete) != 0
            : IsUnchangedReannounce(peer, counters, seeder, command);
    }

    /// <summary>A re-announce that a store need not write: no event and nothing the record keeps has changed. A remote
    /// record is always rewritten, so the peer becomes local here; <c>started</c>, <c>completed</c> and <c>stopped</c> are
    /// always processed; and an accounted announce (private tracking) is processed whenever its counters moved.</summary>
    private static bool IsUnchangedReannounce(in PeerEntry peer, in PeerCounters counters, bool seeder, in AnnounceCommand command) =>
        command.Event == PeerEvent.None
        && (peer.Flags & PeerFlags.Remote) == 0
        && seeder == command.IsSeeder
        && peer.Port == command.Port
        && peer.Address == command.Address
        && (!command.HasKey || ((peer.Flags & PeerFlags.HasKey) != 0 && peer.Key == command.Key))
        && (!command.Accounted || (command.Uploaded == counters.Uploaded && command.Downloaded == counters.Downloaded));
}
