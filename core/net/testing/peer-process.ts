// A peer in a process of its own, for tests that need a remote that can be
// frozen (SIGSTOP, as a stalled event loop) or killed. Started with the
// notebook in RN_NOTEBOOK (the text of a notebook file); prints one JSON line
// {"peerId","addrs"} once listening on 127.0.0.1, then serves until SIGTERM.
import { generateKeyPair } from '@libp2p/crypto/keys';
import { parseNotebookFile } from '../notebook-file.ts';
import { createPeer } from '../peer.ts';

const notebook = parseNotebookFile(process.env.RN_NOTEBOOK ?? '', 'RN_NOTEBOOK');
const peer = await createPeer({
  privateKey: await generateKeyPair('Ed25519'),
  notebook,
  listen: ['/ip4/127.0.0.1/tcp/0'],
  mdns: false,
});
await peer.handleStatus(() => ({ pid: process.pid }));
process.stdout.write(`${JSON.stringify({ peerId: peer.peerId, addrs: peer.addrs() })}\n`);
process.once('SIGTERM', () => {
  void peer.stop().finally(() => process.exit(0));
});
