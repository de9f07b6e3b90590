"""End-to-end download through a udp:// tracker with libtorrent (Debian python3-libtorrent).

A seeder and a leecher session on 127.0.0.1, with DHT, LSD, PEX, UPnP and NAT-PMP off, can find each
other only through the tracker named on the command line. The leecher must complete and its copy must
match the seeder's bytes. Usage: /usr/bin/python3 libtorrent_udp_download.py udp://127.0.0.1:PORT/announce
Exits 0 on success, 1 on failure or after the deadline (default 60 s).
"""
import hashlib
import os
import sys
import tempfile
import time

import libtorrent as lt

DEADLINE_SECONDS = float(os.environ.get("ST_E2E_DEADLINE", "60"))


def session():
    settings = {
        "listen_interfaces": "127.0.0.1:0",
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "enable_incoming_utp": True,
        "enable_outgoing_utp": True,
        "allow_multiple_connections_per_ip": True,
        "announce_to_all_trackers": True,
        "announce_to_all_tiers": True,
        "min_reconnect_time": 1,
        "alert_mask": lt.alert.category_t.status_notification | lt.alert.category_t.error_notification | lt.alert.category_t.tracker_notification,
    }
    # flags=0: no default plugins, so no ut_pex (nor ut_metadata) — peers come from the tracker only.
    return lt.session(settings, 0)


def drain(ses, name, log):
    for alert in ses.pop_alerts():
        kind = type(alert).__name__
        if "tracker" in kind or "error" in kind:
            log.append(f"{name}: {kind}: {alert.message()}")


def main():
    tracker = sys.argv[1]
    work = tempfile.mkdtemp(prefix="st-udp-e2e-")
    seed_dir = os.path.join(work, "seed")
    leech_dir = os.path.join(work, "leech")
    os.makedirs(seed_dir)
    os.makedirs(leech_dir)
    payload = os.urandom((1 << 20) + 12345)
    with open(os.path.join(seed_dir, "payload.bin"), "wb") as f:
        f.write(payload)

    files = lt.file_storage()
    lt.add_files(files, os.path.join(seed_dir, "payload.bin"))
    creator = lt.create_torrent(files, 64 * 1024)
    creator.add_tracker(tracker)
    creator.set_priv(True)  # private: no DHT/PEX even if a default turned them on
    lt.set_piece_hashes(creator, seed_dir)
    info = lt.torrent_info(lt.bencode(creator.generate()))

    seeder, leecher = session(), session()
    log = []
    seed = seeder.add_torrent({"ti": info, "save_path": seed_dir, "flags": lt.torrent_flags.seed_mode})
    started = time.time()
    # Let the seeder reach the tracker first, so the leecher's first answer already holds it.
    while time.time() - started < 10:
        drain(seeder, "seeder", log)
        if seed.status().num_complete >= 1 or any("tracker_reply" in line for line in log):
            break
        time.sleep(0.1)

    leech = leecher.add_torrent({"ti": lt.torrent_info(info), "save_path": leech_dir})
    while time.time() - started < DEADLINE_SECONDS:
        drain(seeder, "seeder", log)
        drain(leecher, "leecher", log)
        status = leech.status()
        if status.is_seeding or status.state == lt.torrent_status.seeding:
            with open(os.path.join(leech_dir, "payload.bin"), "rb") as f:
                copy = f.read()
            if hashlib.sha256(copy).digest() != hashlib.sha256(payload).digest():
                print("FAIL: downloaded bytes differ", flush=True)
                return 1
            print(f"OK: leecher completed {len(copy)} bytes in {time.time() - started:.1f} s", flush=True)
            return 0
        time.sleep(0.2)

    status = leech.status()
    print(f"FAIL: leecher at {status.progress * 100:.0f}% with {status.num_peers} peers after {DEADLINE_SECONDS:.0f} s", flush=True)
    print("\n".join(log[-40:]), flush=True)
    return 1


if __name__ == "__main__":
    sys.exit(main())
