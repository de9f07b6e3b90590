#!/usr/bin/env python3
# How long operator changes take to hold in another region: two local regions (east, west), each publishing to the
# other's /sync/events webhook, private mode, policy flush and refresh every second.
#   dotnet build functions/ServerlessTracker.Server && tools/operator-sync-latency.py [memory|tables]
# "tables" gives each region its own Azurite (ST_AZURITE, or tools/node_modules/.bin/azurite-table).
# Prints medians and maxima of: a passkey made in east served in west; its revocation refused in west; figures
# announced in both regions summed when read in either. Loopback only; stops everything it started.
import json, os, signal, socket, subprocess, sys, time, urllib.parse, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
APP = os.environ.get("ST_APP", os.path.join(ROOT, "functions/ServerlessTracker.Server/bin/Debug/net10.0/ServerlessTracker.Server"))
AZURITE = os.environ.get("ST_AZURITE", os.path.join(ROOT, "tools/node_modules/.bin/azurite-table"))
ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="  # Azurite's public dev key
SYNC_KEY, TOKEN = "latency-sync-key", "latency-admin-token"
TABLES = len(sys.argv) > 1 and sys.argv[1] == "tables"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


procs = []
ports = {"east": free_port(), "west": free_port()}
storage = {"east": free_port(), "west": free_port()}


def call(region, method, path, body=None):
    request = urllib.request.Request(f"http://127.0.0.1:{ports[region]}{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as answer:
        return answer.read()


def announce(region, key, peer, uploaded=0, downloaded=0):
    # 'started': a session the tracker has not seen is credited its counters only when it says it starts.
    query = urllib.parse.urlencode({"info_hash": bytes([7] * 20), "peer_id": bytes([peer]) * 20, "port": 6881,
                                    "uploaded": uploaded, "downloaded": downloaded, "left": 5, "event": "started"})
    return call(region, "GET", f"/announce/{key}?{query}")


def until(condition, what):
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > 20:
            raise RuntimeError("timed out waiting for " + what)
        time.sleep(0.01)
    return (time.perf_counter() - started) * 1000


def report(label, values):
    print(f"{'tables' if TABLES else 'memory'}: {label}: median {sorted(values)[len(values) // 2]:.0f} ms, max {max(values):.0f} ms (n={len(values)})")


try:
    if TABLES:
        for region in ports:
            procs.append(subprocess.Popen([AZURITE, "--inMemoryPersistence", "--tableHost", "127.0.0.1", "--tablePort", str(storage[region]),
                                           "--skipApiVersionCheck", "--loose", "--disableTelemetry"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    for region, other in (("east", "west"), ("west", "east")):
        env = dict(os.environ, Tracker__Region=region, Tracker__Sync__TopicEndpoint=f"http://127.0.0.1:{ports[other]}/sync/events",
                   Tracker__Sync__TopicKey=SYNC_KEY, Tracker__Sync__ReceiverKey=SYNC_KEY, Tracker__Private__Enabled="true",
                   Tracker__Admin__Token=TOKEN, Tracker__Policy__FlushSeconds="1", Tracker__Policy__RefreshSeconds="1",
                   Logging__LogLevel__Default="Warning")
        if TABLES:
            env["Tracker__Tables__ConnectionString"] = (f"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={ACCOUNT_KEY};"
                                                        f"TableEndpoint=http://127.0.0.1:{storage[region]}/devstoreaccount1;")
        procs.append(subprocess.Popen([APP, "--urls", f"http://127.0.0.1:{ports[region]}"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

    for _ in range(300):
        try:
            call("east", "GET", "/")
            call("west", "GET", "/")
            break
        except OSError:
            time.sleep(0.2)

    made, revoked, figures = [], [], []
    for i in range(20):
        key = json.loads(call("east", "POST", "/admin/passkeys", {"name": f"user{i}"}))["passkey"]
        made.append(until(lambda: b"failure" not in announce("west", key, 1), "the passkey in west"))
        call("east", "DELETE", f"/admin/passkeys/{key}")
        revoked.append(until(lambda: b"revoked" in announce("west", key, 1), "the revocation in west"))

    for i in range(5):
        key = json.loads(call("east", "POST", "/admin/passkeys", {}))["passkey"]
        until(lambda: b"failure" not in announce("west", key, 1), "the passkey in west")
        announce("east", key, 100 + 2 * i, 1000, 100)
        announce("west", key, 101 + 2 * i, 10, 1)

        def summed():
            east = json.loads(call("east", "GET", f"/admin/passkeys/{key}"))["uploaded"]
            west = json.loads(call("west", "GET", f"/admin/passkeys/{key}"))["uploaded"]
            return (east, west) == (1010, 1010)

        figures.append(until(summed, "figures summed in both regions"))

    report("passkey made in east served in west", made)
    report("revocation in east refused in west", revoked)
    report("figures of both regions summed in both (flush 1 s, refresh 1 s)", figures)
finally:
    for process in procs:
        process.send_signal(signal.SIGINT)
    for process in procs:
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
