using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Stores;

namespace ServerlessTracker.Http.Endpoints;

/// <summary>Swarms: list the busiest, inspect one with its peers, drop one.</summary>
public static class AdminSwarmEndpoints
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 10_000;

    public static RouteGroupBuilder MapAdminSwarms(this RouteGroupBuilder group)
    {
        group.MapGet("/swarms", static async (HttpContext context, ISwarmStore store, int? limit) =>
        {
            // Sorting every swarm is not socket-thread work (Kestrel runs handlers inline): move to the pool.
            await Task.Yield();
            var swarms = (await store.ListSwarmsAsync(context.RequestAborted)).ToArray();
            Array.Sort(swarms, static (a, b) => b.Counts.Peers.CompareTo(a.Counts.Peers) is var order and not 0 ? order : a.InfoHash.CompareTo(b.InfoHash));
            var shown = Math.Clamp(limit ?? DefaultLimit, 0, MaxLimit);
            var list = new List<SwarmJson>(Math.Min(shown, swarms.Length));
            for (var i = 0; i < swarms.Length && i < shown; i++)
            {
                var counts = swarms[i].Counts;
                list.Add(new SwarmJson(swarms[i].InfoHash.ToHex(), counts.Complete, counts.Incomplete, counts.Downloaded, counts.Peers));
            }

            return AdminEndpoints.Json(new SwarmListJson(swarms.Length, list.Count, list), AdminJsonContext.Default.SwarmListJson);
        });

        group.MapGet("/swarms/{hash}", static async (string hash, HttpContext context, ISwarmStore store, int? peers) =>
        {
            if (AdminAccessListEndpoints.TryParseOneHash(hash, out var parsed) is { } problem)
            {
                return AdminEndpoints.Error(StatusCodes.Status400BadRequest, problem);
            }

            if (SwarmInspection.Find(store) is not { } inspector)
            {
                return AdminEndpoints.Error(StatusCodes.Status501NotImplemented, "this store cannot inspect swarms");
            }

            var details = await inspector.InspectAsync(parsed, Math.Clamp(peers ?? 200, 0, 10_000), context.RequestAborted);
            if (details is null)
            {
                return AdminEndpoints.Error(StatusCodes.Status404NotFound, "no such swarm");
            }

            var list = new List<PeerJson>(details.Peers.Count);
            foreach (var peer in details.Peers)
            {
                list.Add(new PeerJson(peer.Id.ToHex(), peer.Address.ToString(), peer.Port, peer.Seeder, DateTimeOffset.FromUnixTimeSeconds(peer.LastSeen), peer.Remote));
            }

            var counts = details.Counts;
            return AdminEndpoints.Json(
                new SwarmDetailsJson(parsed.ToHex(), counts.Complete, counts.Incomplete, counts.Downloaded, DateTimeOffset.FromUnixTimeSeconds(details.LastActivity), list),
                AdminJsonContext.Default.SwarmDetailsJson);
        });

        group.MapDelete("/swarms/{hash}", static async (string hash, HttpContext context, ISwarmStore store) =>
        {
            if (AdminAccessListEndpoints.TryParseOneHash(hash, out var parsed) is { } problem)
            {
                return AdminEndpoints.Error(StatusCodes.Status400BadRequest, problem);
            }

            // Drops this region's copy only: other regions keep theirs (and sync may bring its peers back).
            if (SwarmInspection.Find(store) is not { } inspector)
            {
                return AdminEndpoints.Error(StatusCodes.Status501NotImplemented, "this store cannot drop swarms");
            }

            return await inspector.DropAsync(parsed, context.RequestAborted)
                ? Results.NoContent()
                : AdminEndpoints.Error(StatusCodes.Status404NotFound, "no such swarm");
        });
        return group;
    }
}
