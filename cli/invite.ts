// `raftnotes invite --data <dir>`: the invite code of a data directory's
// notebook, with the addresses its peer last listened on (written by serve).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { formatInvite, loadOrCreatePeerKey, readNotebookFile } from '../core/net/index.ts';

/** ADDRS_FILE is where serve keeps the addresses it listens on, for invite codes made while it is down. */
export const ADDRS_FILE = 'last-addrs.json';

/** printInvite prints the invite code of `dataDir`'s notebook and returns the exit code. */
export async function printInvite(dataDir: string): Promise<number> {
  const notebook = await readNotebookFile(dataDir);
  if (notebook === null) {
    process.stderr.write(`raftnotes: ${dataDir} holds no notebook yet; start it with raftnotes serve --data ${dataDir} --create <name>.\n`);
    return 1;
  }
  const peerId = peerIdFromPrivateKey(await loadOrCreatePeerKey(dataDir)).toString();
  let addrs: string[] = [];
  try {
    const saved: unknown = JSON.parse(await readFile(join(dataDir, ADDRS_FILE), 'utf8'));
    if (Array.isArray(saved)) addrs = saved.filter((a): a is string => typeof a === 'string');
  } catch {
    // never served yet, or the file is damaged: peers find it by mDNS alone
  }
  process.stdout.write(`${formatInvite({ notebook, peerId, addrs })}\n`);
  return 0;
}
