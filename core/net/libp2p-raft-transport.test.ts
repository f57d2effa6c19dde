import { generateKeyPair } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import { createNotebook } from './notebook.ts';
import { createPeer } from './peer.ts';
import type { Peer } from './peer.ts';
import { transportComplianceSuite } from './testing/transport-compliance.ts';

transportComplianceSuite('libp2p on 127.0.0.1', async (size) => {
  const notebook = createNotebook('compliance');
  const keys: PrivateKey[] = await Promise.all(Array.from({ length: size }, async () => generateKeyPair('Ed25519')));
  const ids = keys.map((k) => peerIdFromPrivateKey(k).toString());
  const ports = new Map<number, number>();
  const running = new Map<number, Peer>();
  const addrOf = (i: number) => `/ip4/127.0.0.1/tcp/${ports.get(i)}/p2p/${ids[i]}`;
  return {
    id: (i) => ids[i]!,
    async start(i, options) {
      const peer = await createPeer({
        privateKey: keys[i]!, notebook, mdns: false,
        listen: [`/ip4/127.0.0.1/tcp/${ports.get(i) ?? 0}`],
        ...(options === undefined ? {} : { transport: options }),
      });
      running.set(i, peer);
      ports.set(i, Number(peer.addrs()[0]!.split('/')[4]));
      // Tell every running peer where the others listen, as mDNS or an invite would.
      for (const [j, p] of running) {
        for (const k of running.keys()) {
          if (j !== k) await p.libp2p.peerStore.merge(peerIdFromPrivateKey(keys[k]!), { multiaddrs: [multiaddr(addrOf(k))] });
        }
      }
      return peer.raft;
    },
    async stop(i) {
      await running.get(i)?.stop();
      running.delete(i);
    },
    async cleanup() {
      await Promise.all([...running.values()].map(async (p) => p.stop()));
      running.clear();
    },
  };
});
