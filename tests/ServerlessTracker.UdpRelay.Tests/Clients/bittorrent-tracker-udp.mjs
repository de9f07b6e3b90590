// Drives the npm `bittorrent-tracker` Client (the WebTorrent tracker client) against a udp:// URL:
// a seeder and a leecher announce one torrent, the leecher must be given the seeder, then both scrape.
// Usage: node bittorrent-tracker-udp.mjs <node_modules dir> <udp://host:port/announce> <seeder port> <leecher port>
// Prints one JSON line with what the clients saw; exits non-zero on any error or after 20 s.
import { register } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';

const [modules, announceUrl, seederPort, leecherPort] = process.argv.slice(2);
if (!modules || !announceUrl) {
  console.error('usage: node bittorrent-tracker-udp.mjs <node_modules> <udp url> <seeder port> <leecher port>');
  process.exit(2);
}

// The client imports WebRTC for ws:// trackers; its native module cannot be built everywhere and UDP
// does not need it, so resolve it to an empty stand-in (WEBRTC_SUPPORT is then false).
const hooks = `
export async function resolve(specifier, context, next) {
  if (specifier === 'webrtc-polyfill') {
    return { shortCircuit: true, url: 'data:text/javascript,export const RTCPeerConnection = undefined, RTCSessionDescription = undefined, RTCIceCandidate = undefined; export default {};' };
  }
  return next(specifier, context);
}`;
register('data:text/javascript,' + encodeURIComponent(hooks));

const { default: Client } = await import(pathToFileURL(path.join(modules, 'bittorrent-tracker', 'client.js')).href);

const fail = (message) => { console.error(message); process.exit(1); };
setTimeout(() => fail('timed out after 20 s'), 20000).unref();

const infoHash = randomBytes(20).toString('hex');
const make = (port) => {
  const client = new Client({ infoHash, peerId: randomBytes(20).toString('hex'), announce: [announceUrl], port: Number(port) });
  client.on('error', (err) => fail('client error: ' + err.message));
  client.on('warning', (err) => fail('client warning: ' + err.message));
  return client;
};

const once = (emitter, name, predicate = () => true) => new Promise((resolve) => {
  const handler = (value) => { if (predicate(value)) { emitter.off(name, handler); resolve(value); } };
  emitter.on(name, handler);
});

const seeder = make(seederPort);
const seederUpdate = once(seeder, 'update');
seeder.start({ left: 0 });
const seederAnnounce = await seederUpdate;

const leecher = make(leecherPort);
const leecherPeer = once(leecher, 'peer');
const leecherUpdate = once(leecher, 'update');
leecher.start({ left: 1000 });
const leecherAnnounce = await leecherUpdate;
const peer = await leecherPeer;

const scraped = once(leecher, 'scrape');
leecher.scrape();
const scrape = await scraped;

console.log(JSON.stringify({
  seeder: { complete: seederAnnounce.complete, incomplete: seederAnnounce.incomplete },
  leecher: { complete: leecherAnnounce.complete, incomplete: leecherAnnounce.incomplete },
  peer,
  scrape: { complete: scrape.complete, incomplete: scrape.incomplete, downloaded: scrape.downloaded },
}));
seeder.destroy();
leecher.destroy();
process.exit(0);
