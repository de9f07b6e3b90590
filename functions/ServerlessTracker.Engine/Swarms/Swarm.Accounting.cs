using ServerlessTracker.Engine.Peers;

namespace ServerlessTracker.Engine.Swarms;

/// <summary>Accounting deltas: what an announce adds to its passkey's figures, taken against what is known of the peer's
/// session, never against nothing.</summary>
public sealed partial class Swarm
{
    // The last known counters of sessions the swarm does not hold live (stopped, expired, read back by a store): the base
    // of the peer's next accounting delta, taken once by its next announce. Expire with the TTL.
    private Dictionary<PeerId, SessionCounters>? _sessions;

    private static void SetDeltas(AnnounceResult result, long previousUploaded, long previousDownloaded, in AnnounceCommand command)
    {
        // A new session (started) or counters that went backwards (client restarted) start from zero.
        var restarted = command.Event == PeerEvent.Started || command.Uploaded < previousUploaded || command.Downloaded < previousDownloaded;
        result.UploadedDelta = restarted ? command.Uploaded : command.Uploaded - previousUploaded;
        result.DownloadedDelta = restarted ? command.Downloaded : command.Downloaded - previousDownloaded;
    }

    /// <summary>Deltas of a peer the swarm does not hold: against its session's last known counters (a stop, a row a store
    /// read back); without them nothing, unless the announce starts a session. An unknown peer may have been credited its
    /// session elsewhere (another region, a purged row), so only <c>started</c> says its counters are all new.</summary>
    private void SetNewcomerDeltas(AnnounceResult result, in AnnounceCommand command)
    {
        if (_sessions is not null && _sessions.Remove(command.PeerId, out var session))
        {
            SetDeltas(result, session.Uploaded, session.Downloaded, command);
        }
        else if (command.Event == PeerEvent.Started)
        {
            result.UploadedDelta = command.Uploaded;
            result.DownloadedDelta = command.Downloaded;
        }
    }

    private void RememberSession(PeerId id, long uploaded, long downloaded, uint at)
    {
        _sessions ??= [];
        ref var session = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_sessions, id, out var existed);
        if (!existed || session.At <= at)
        {
            session = new SessionCounters(uploaded, downloaded, at);
        }
    }
}

/// <summary>A session's counters as last known, and when (unix seconds).</summary>
internal readonly record struct SessionCounters(long Uploaded, long Downloaded, uint At);
