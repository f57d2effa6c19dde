// A peer that runs another version of Raftnotes (its protocol ids carry
// another wire format's version) is refused with words that say so, on the
// raft stream and on the join exchange, instead of a retry that never ends
// in silence.
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { createNotebook } from './notebook.ts';
import { createPeer, type Peer } from './peer.ts';
import { JOIN_PROTOCOL } from './join-protocol.ts';
import { RAFT_PROTOCOL } from './raft-transport.ts';

const peers: Peer[] = [];

async function peer(notebook: ReturnType<typeof createNotebook>): Promise<Peer> {
  const p = await createPeer({ privateKey: await generateKeyPair('Ed25519'), notebook, mdns: false, listen: ['/ip4/127.0.0.1/tcp/0'] });
  peers.push(p);
  return p;
}

afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.stop()));
});

describe('OtherVersion', () => {
  it('tells that a peer runs another version when it refuses the raft and join protocols', async () => {
    const notebook = createNotebook('versions');
    const here = await peer(notebook);
    const older = await peer(notebook);
    // The other version answers other protocol ids: none of this version's.
    await older.libp2p.unhandle(RAFT_PROTOCOL);
    await older.libp2p.unhandle(JOIN_PROTOCOL);
    const told = new Promise<{ peer: string; reason: string }>((resolve) => {
      here.raft.addEventListener('other-version', (evt) => resolve(evt.detail), { once: true });
    });
    here.raft.addPeer(older.peerId, older.addrs());
    const { peer: who, reason } = await told;
    expect(who).toBe(older.peerId);
    expect(reason).toBe(`${older.peerId} does not speak ${RAFT_PROTOCOL}: it runs another version of Raftnotes. Update both devices to the same version.`);
    expect(here.raft.isReachable(older.peerId)).toBe(false);
    await expect(here.requestJoin(older.addrs()[0]!)).rejects.toThrow(/does not speak \/raftnotes\/join\/1: it runs another version of Raftnotes/);
  });
});
