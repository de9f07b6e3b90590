#!/usr/bin/python3
"""Two libtorrent sessions (a seeder and a leecher) that can meet only through the tracker under test.

DHT, local peer discovery, UPnP, NAT-PMP and every extension (PEX among them) are off, so the
leecher can learn the seeder's address from the tracker alone. Prints one JSON line and exits 0
when the leecher has the whole file, 1 otherwise.

usage: libtorrent_swarm.py TRACKER_URL WORK_DIR [TIMEOUT_SECONDS]
"""
import json
import os
import sys
import time

import libtorrent as lt


def make_session(port):
    settings = {
        "listen_interfaces": f"127.0.0.1:{port}",
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "allow_multiple_connections_per_ip": True,
        "announce_to_all_trackers": True,
        "announce_to_all_tiers": True,
        "user_agent": "serverlesstracker-e2e",
        "alert_mask": lt.alert.category_t.error_notification | lt.alert.category_t.status_notification
        | lt.alert.category_t.tracker_notification,
    }
    # flags=0: no default plugins (ut_pex, ut_metadata, smart_ban) and no default features (DHT, LSD, UPnP, NAT-PMP).
    return lt.session(settings, 0)


def main():
    tracker, work = sys.argv[1], sys.argv[2]
    timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 60
    seed_dir, leech_dir = os.path.join(work, "seed"), os.path.join(work, "leech")
    os.makedirs(seed_dir, exist_ok=True)
    os.makedirs(leech_dir, exist_ok=True)
    payload = os.path.join(seed_dir, "payload.bin")
    with open(payload, "wb") as f:
        f.write(os.urandom(3 * 1024 * 1024 + 12345))

    fs = lt.file_storage()
    lt.add_files(fs, payload)
    torrent = lt.create_torrent(fs, 64 * 1024)
    torrent.add_tracker(tracker)
    lt.set_piece_hashes(torrent, seed_dir)
    info = lt.torrent_info(lt.bencode(torrent.generate()))

    seeder, leecher = make_session(0), make_session(0)
    seed = seeder.add_torrent({"ti": info, "save_path": seed_dir, "flags": lt.torrent_flags.seed_mode})
    time.sleep(1.0)  # let the seeder's first announce land before the leecher asks
    leech = leecher.add_torrent({"ti": lt.torrent_info(info), "save_path": leech_dir})

    tracker_errors = []
    deadline = time.time() + timeout
    status = leech.status()
    while time.time() < deadline:
        for session in (seeder, leecher):
            for alert in session.pop_alerts():
                if isinstance(alert, (lt.tracker_error_alert, lt.tracker_warning_alert)):
                    tracker_errors.append(alert.message())
        status = leech.status()
        if status.is_seeding:
            break
        time.sleep(0.2)

    result = {
        "complete": bool(status.is_seeding),
        "progress": status.progress,
        "leecher_peers": status.num_peers,
        "seeder_state": str(seed.status().state),
        "tracker_errors": tracker_errors[:10],
        "info_hash_v1": str(info.info_hashes().v1),
        "has_v2": info.info_hashes().has_v2(),
    }
    print(json.dumps(result))
    return 0 if status.is_seeding else 1


if __name__ == "__main__":
    sys.exit(main())
