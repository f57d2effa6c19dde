import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { multiaddr } from '@multiformats/multiaddr';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidFrameError, IsolatedError, ProtocolError } from './errors.ts';
import { FrameReader } from './frame-stream.ts';
import { encodeFramePrefixed } from './frame-encode.ts';
import { requestJoin } from './join-protocol.ts';
import { createNotebook } from './notebook.ts';
import type { Notebook } from './notebook.ts';
import { formatNotebookFile } from './notebook-file.ts';
import { parseInvite } from './invite-code.ts';
import { createPeer } from './peer.ts';
import { IsolationGate } from './isolation-gate.ts';
import { Libp2pRaftTransport } from './libp2p-raft-transport.ts';
import { notebookPsk } from './notebook.ts';
import { peerLibp2pOptions } from './peer-config.ts';
import { preSharedKey } from '@libp2p/pnet';
import { createLibp2p } from 'libp2p';
import type { Peer, PeerInit } from './peer.ts';
import { RAFT_PROTOCOL } from './raft-transport.ts';
import { STATUS_STREAM_PROTOCOL } from './status-protocol.ts';
import type { Frame } from './frame.ts';
import { sleep, waitFor } from './testing/wait.ts';

const running: Peer[] = [];
const children: ChildProcess[] = [];

async function start(notebook: Notebook, init: Partial<PeerInit> = {}): Promise<Peer> {
  const peer = await createPeer({ privateKey: await generateKeyPair('Ed25519'), notebook, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, ...init });
  running.push(peer);
  return peer;
}

function portOf(peer: Peer): number {
  return Number(peer.addrs()[0]!.split('/')[4]);
}

afterEach(async () => {
  for (const c of children.splice(0)) {
    c.kill('SIGCONT');
    c.kill('SIGKILL');
  }
  await Promise.all(running.splice(0).map(async (p) => p.stop()));
});

describe('Peer', () => {
  it('connects peers of one notebook and refuses a peer with another notebook key', async () => {
    const nb = createNotebook('ours');
    const [a, b] = [await start(nb), await start(nb)];
    const stranger = await start(createNotebook('theirs'));
    expect(await a.dial(b.addrs()[0]!)).toBe(b.peerId);
    await expect(stranger.dial(b.addrs()[0]!, { signal: AbortSignal.timeout(1500) })).rejects.toThrow();
    stranger.raft.send([{ type: 'TimeoutNow', from: stranger.peerId, to: b.peerId, term: 1 }]);
    await sleep(200);
    expect(b.libp2p.getConnections().map((c) => c.remotePeer.toString())).toEqual([a.peerId]);
    expect(stranger.libp2p.getConnections()).toHaveLength(0);
    expect(stranger.raft.isReachable(b.peerId)).toBe(false);
  });

  it('speaks the pnet protocol of @libp2p/pnet with the notebook key', async () => {
    const nb = createNotebook('n');
    const ours = await start(nb);
    const gate = new IsolationGate();
    const options = peerLibp2pOptions({ privateKey: await generateKeyPair('Ed25519'), notebook: nb, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false }, gate);
    const theirs = await createLibp2p({ ...options, connectionProtector: preSharedKey({ psk: notebookPsk(nb) }) });
    try {
      const transport = await Libp2pRaftTransport.create({ libp2p: theirs, gate });
      const got: Frame[] = [];
      ours.raft.setHandler((_f, frame) => got.push(frame));
      transport.addPeer(ours.peerId, ours.addrs());
      transport.send([{ type: 'TimeoutNow', from: theirs.peerId.toString(), to: ours.peerId, term: 5 }]);
      await waitFor(() => got.length === 1, 'a frame through @libp2p/pnet');
      await transport.stop();
    } finally {
      await theirs.stop();
    }
  });

  it('keeps its connections after a large message (a defect of @libp2p/pnet 3.0 ended the process)', async () => {
    const nb = createNotebook('n');
    const [a, b] = [await start(nb), await start(nb)];
    let trips = 0;
    a.raft.setHandler(() => { trips++; if (trips < 1500) a.raft.send([{ type: 'TimeoutNow', from: a.peerId, to: b.peerId, term: trips }]); });
    b.raft.setHandler((_f, frame) => { if (frame.type === 'TimeoutNow') b.raft.send([{ type: 'TimeoutNow', from: b.peerId, to: a.peerId, term: 1 }]); });
    a.raft.addPeer(b.peerId, b.addrs());
    b.raft.addPeer(a.peerId, a.addrs());
    a.raft.send([{ type: 'ForwardProposal', from: a.peerId, to: b.peerId, requestId: 'big', data: new Uint8Array(8 * 1024 * 1024) }]);
    await waitFor(() => a.raft.stats().queuedFrames === 0, 'the large frame to leave the queue');
    a.raft.send([{ type: 'TimeoutNow', from: a.peerId, to: b.peerId, term: 0 }]);
    await waitFor(() => trips >= 1500, '1500 round trips after the large message', 10_000);
    expect(a.raft.stats().droppedFrames).toBe(0);
  });

  it('survives garbage bytes on its TCP port and keeps serving', async () => {
    const nb = createNotebook('n');
    const [a, b] = [await start(nb), await start(nb)];
    const got: Frame[] = [];
    b.raft.setHandler((_f, frame) => got.push(frame));
    const port = portOf(b);
    const samples = fc.sample(fc.uint8Array({ minLength: 1, maxLength: 4096 }), { seed: 7, numRuns: 25 });
    for (const bytes of samples) {
      const socket = connect(port, '127.0.0.1');
      await once(socket, 'connect');
      socket.write(bytes);
      socket.end();
      await Promise.race([once(socket, 'close'), sleep(100)]);
      socket.destroy();
    }
    a.raft.addPeer(b.peerId, b.addrs());
    a.raft.send([{ type: 'TimeoutNow', from: a.peerId, to: b.peerId, term: 3 }]);
    await waitFor(() => got.length === 1, 'a frame after the garbage');
    await b.handleStatus(() => ({ ok: true }));
    expect(await a.fetchStatus(b.peerId)).toEqual({ ok: true });
  });

  it('closes a raft stream that carries random bytes, and only that stream', async () => {
    const nb = createNotebook('n');
    const [a, b] = [await start(nb, { transport: { maxFrameBytes: 64 * 1024 } }), await start(nb, { transport: { maxFrameBytes: 64 * 1024 } })];
    const got: Frame[] = [];
    b.raft.setHandler((_f, frame) => got.push(frame));
    a.raft.addPeer(b.peerId, b.addrs());
    await waitFor(() => a.raft.isReachable(b.peerId), 'the proper raft stream');
    const samples = fc.sample(fc.uint8Array({ minLength: 1, maxLength: 2048 }), { seed: 8, numRuns: 40 });
    // What a reader makes of each sample: the streams b must reject.
    const invalid = samples.filter((bytes) => {
      try {
        new FrameReader({ address: { from: a.peerId, to: b.peerId }, maxFrameBytes: 64 * 1024 }).push(bytes, () => {});
        return false;
      } catch (err) {
        if (!(err instanceof InvalidFrameError)) throw err;
        return true;
      }
    }).length;
    expect(invalid).toBeGreaterThan(5);
    for (const [i, bytes] of samples.entries()) {
      const raw = await a.libp2p.dialProtocol(b.libp2p.peerId, RAFT_PROTOCOL);
      const closed = once(raw, 'close');
      raw.send(bytes);
      // Half the streams end cleanly after their garbage, the others stay open for b to judge.
      if (i % 2 === 0) await raw.close().catch(() => {});
      await Promise.race([closed, sleep(i % 2 === 0 ? 2000 : 150)]);
      if (raw.status === 'open') raw.abort(new Error('done'));
      a.raft.send([{ type: 'TimeoutNow', from: a.peerId, to: b.peerId, term: i + 1 }]);
    }
    await waitFor(() => got.length === samples.length, 'every proper frame despite the garbage');
    expect(got.map((f) => (f as { term: number }).term)).toEqual(samples.map((_, i) => i + 1));
    await waitFor(() => b.raft.stats().rejectedStreams === invalid, `b to reject the ${invalid} invalid streams`);
    expect(a.raft.isReachable(b.peerId)).toBe(true);
    expect(b.libp2p.getConnections().length).toBeGreaterThan(0);
  });

  it('rejects an oversized frame by its announced length', async () => {
    const nb = createNotebook('n');
    const [a, b] = [await start(nb), await start(nb, { transport: { maxFrameBytes: 1000 } })];
    b.raft.setHandler(() => {});
    const reasons: string[] = [];
    b.raft.addEventListener('rejected', (e) => reasons.push(`${e.detail.peer}: ${e.detail.reason}`));
    const raw = await a.libp2p.dialProtocol(multiaddr(b.addrs()[0]!), RAFT_PROTOCOL);
    const closed = once(raw, 'close');
    raw.send(encodeFramePrefixed({ type: 'ForwardProposal', from: a.peerId, to: b.peerId, requestId: 'x', data: new Uint8Array(5000) }).subarray(0, 10));
    await closed;
    expect(b.raft.stats().rejectedStreams).toBe(1);
    expect(reasons).toEqual([`${a.peerId}: frame of 5009 bytes is larger than the limit of 1000 bytes`]);
  });

  it('answers join and status requests through the service handlers', async () => {
    const nb = createNotebook('n');
    const [leader, joiner] = [await start(nb, { name: 'leader box' }), await start(nb, { name: 'laptop' })];
    const asked: string[] = [];
    await leader.handleJoin((req, from) => {
      asked.push(`${from}:${req.name}:${req.addrs.length}`);
      return { ok: true, leaderId: leader.peerId, members: [{ id: leader.peerId, name: 'leader box', addrs: leader.addrs(), voter: true }] };
    });
    await leader.handleStatus((from) => ({ role: 'leader', term: 4, asker: from }));
    const res = await joiner.requestJoin(leader.addrs()[0]!);
    expect(res).toEqual({ ok: true, leaderId: leader.peerId, members: [{ id: leader.peerId, name: 'leader box', addrs: leader.addrs(), voter: true }] });
    expect(asked).toEqual([`${joiner.peerId}:laptop:1`]);
    expect(await joiner.fetchStatus(leader.peerId)).toEqual({ role: 'leader', term: 4, asker: joiner.peerId });
    // A request naming another peer is refused before the handler sees it.
    const forged = await requestJoin({ libp2p: joiner.libp2p, gate: { isolated: false } as never, log: joiner.libp2p.logger.forComponent('t') },
      leader.peerId, { peerId: leader.peerId, name: 'x', addrs: [] });
    expect(forged.ok).toBe(false);
    expect(asked).toHaveLength(1);
  });

  it('polls a member\'s status on one stream kept open, and opens a new one after a failure', async () => {
    const nb = createNotebook('n');
    const [a, b] = [await start(nb), await start(nb)];
    let answers = 0;
    let fail = false;
    await b.handleStatus(() => {
      if (fail) throw new Error('not now');
      return { n: ++answers };
    });
    await a.dial(b.addrs()[0]!);
    const statusStreams = () => a.libp2p.getConnections(b.libp2p.peerId).flatMap((c) => c.streams)
      .filter((s) => s.protocol === STATUS_STREAM_PROTOCOL);
    for (let i = 1; i <= 5; i++) expect(await a.fetchStatus(b.peerId)).toEqual({ n: i });
    expect(statusStreams()).toHaveLength(1);
    const first = statusStreams()[0];
    fail = true;
    await expect(a.fetchStatus(b.peerId, { timeoutMs: 2000 })).rejects.toThrow(ProtocolError);
    fail = false;
    expect(await a.fetchStatus(b.peerId)).toEqual({ n: 6 });
    expect(statusStreams()).toHaveLength(1);
    expect(statusStreams()[0]).not.toBe(first);
  });

  it('fails a request with ProtocolError when the peer has no handler or answers too much', async () => {
    const nb = createNotebook('n');
    const [a, b] = [await start(nb), await start(nb)];
    await expect(a.fetchStatus(b.addrs()[0]!, { timeoutMs: 2000 })).rejects.toThrow(ProtocolError);
    await b.handleStatus(() => ({ big: 'x'.repeat(70_000) }));
    await expect(a.fetchStatus(b.peerId, { timeoutMs: 2000 })).rejects.toThrow(ProtocolError);
  });

  it('isolates itself: refuses dials both ways, then reconnects', async () => {
    const nb = createNotebook('n');
    const [a, b] = [await start(nb), await start(nb)];
    await a.dial(b.addrs()[0]!);
    await a.setIsolated(true);
    expect(a.isolated).toBe(true);
    await waitFor(() => a.libp2p.getConnections().length === 0 && b.libp2p.getConnections().length === 0, 'connections to close');
    await expect(a.dial(b.addrs()[0]!)).rejects.toThrow();
    await expect(b.dial(a.addrs()[0]!, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
    await expect(a.fetchStatus(b.peerId)).rejects.toThrow(IsolatedError);
    await a.setIsolated(false);
    expect(await b.dial(a.addrs()[0]!)).toBe(a.peerId);
  });

  it('dials its bootstrap peers and redials one that restarts', async () => {
    const nb = createNotebook('n');
    const key = await generateKeyPair('Ed25519');
    let b = await start(nb, { privateKey: key });
    const addr = b.addrs()[0]!;
    const a = await start(nb, { bootstrap: [addr] });
    await waitFor(() => a.libp2p.getConnections().some((c) => c.remotePeer.toString() === b.peerId), 'the bootstrap connection');
    await b.stop();
    running.splice(running.indexOf(b), 1);
    await waitFor(() => a.libp2p.getConnections().length === 0, 'the connection to drop');
    b = await start(nb, { privateKey: key, listen: [addr.replace(/\/p2p\/.*/, '')] });
    await waitFor(() => a.libp2p.getConnections().some((c) => c.remotePeer.toString() === b.peerId), 'the bootstrap connection again', 8000);
  });

  it('tells of peers it learns about', async () => {
    const nb = createNotebook('n');
    const [a, b] = [await start(nb), await start(nb)];
    const seen: string[] = [];
    b.addEventListener('peer:discovered', (e) => seen.push(e.detail.peerId));
    const connected: string[] = [];
    let addrs: string[] = [];
    b.addEventListener('peer:connected', (e) => connected.push(e.detail));
    b.libp2p.addEventListener('peer:identify', () => { void b.addrsOf(a.peerId).then((x) => { addrs = x; }); });
    await a.dial(b.addrs()[0]!);
    await waitFor(() => seen.includes(a.peerId) && connected.includes(a.peerId), 'b to learn of a');
    // Identify tells b where a listens, for the service to pass on.
    await waitFor(() => addrs.length > 0, 'the addresses of a');
    expect(addrs).toContain(a.addrs()[0]!.replace(/\/p2p\/.*/, ''));
    expect(await b.addrsOf(b.peerId.replace(/.$/, 'x'))).toEqual([]);
  });

  it('makes an invite code that carries its notebook and addresses', async () => {
    const nb = createNotebook('Team');
    const a = await start(nb);
    const invite = parseInvite(a.invite());
    expect(invite.notebook).toEqual(nb);
    expect(invite.peerId).toBe(a.peerId);
    expect(invite.addrs).toEqual(a.addrs());
  });

  it('keeps its peers while a remote event loop stalls for less than the ping timeout', async () => {
    const nb = createNotebook('n');
    const script = fileURLToPath(new URL('./testing/peer-process.ts', import.meta.url));
    const child = spawn(process.execPath, [script], { env: { ...process.env, RN_NOTEBOOK: formatNotebookFile(nb) }, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    const [line] = await once(createInterface({ input: child.stdout! }), 'line') as [string];
    const remote = JSON.parse(line) as { peerId: string; addrs: string[] };
    const patient = await start(nb, { connectionMonitor: { pingIntervalMs: 100, pingTimeoutMs: 4000 } });
    const hasty = await start(nb, { connectionMonitor: { pingIntervalMs: 100, pingTimeoutMs: 400 } });
    await patient.dial(remote.addrs[0]!);
    await hasty.dial(remote.addrs[0]!);
    const lost: string[] = [];
    patient.addEventListener('peer:disconnected', () => lost.push('patient'));
    hasty.addEventListener('peer:disconnected', () => lost.push('hasty'));
    await sleep(300);
    child.kill('SIGSTOP');
    await sleep(1500);
    child.kill('SIGCONT');
    await waitFor(() => lost.includes('hasty'), 'the hasty peer to give up', 3000);
    await sleep(300);
    expect(lost).toEqual(['hasty']);
    expect(patient.libp2p.getConnections().map((c) => c.remotePeer.toString())).toEqual([remote.peerId]);
  });
});
