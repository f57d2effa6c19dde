// A quiescent leader whose cable is pulled: its namespace's LAN link goes down,
// so no FIN or RST reaches the others and no connection of theirs closes. The
// followers must still elect a new leader within a few seconds (the quiet
// timeout, then an election) and commit without it.
//
// Needs root and iproute2; skipped with the reason otherwise.
import { describe, expect, it } from 'vitest';
import { PeerProcess, tempDir, waitFor } from '../cluster/peer-process.ts';
import { PREFIX } from './netns.ts';
import { useLan } from './use-lan.ts';

const testLan = await useLan(3, 'test/lan/silent-leader');

describe.skipIf(testLan.problem !== null)('A silent leader', () => {
  it('is replaced within a few seconds when its machine vanishes while the group is quiet', async () => {
    const hosts = testLan.lan().hosts;
    const peers = await Promise.all(hosts.map(async (h) => new PeerProcess(await tempDir(`${PREFIX}-`), h.name.toUpperCase())));
    const [a, ...others] = peers as [PeerProcess, ...PeerProcess[]];
    const listen = (i: number) => ['--listen', `/ip4/${hosts[i]!.lanAddr}/tcp/0`, '--api', `${hosts[i]!.controlAddr}:0`, '--no-mdns'];
    const readyA = await a.start(['--create', 'Quiet notes', ...listen(0)], {}, hosts[0]!.exec);
    const invite = (await a.api('GET', '/api/invite')).body.invite as string;
    await Promise.all(others.map((p, i) => p.start(['--invite', invite, '--peer', readyA.addrs[0]!, ...listen(i + 1)], {}, hosts[i + 1]!.exec)));
    const statuses = async () => Promise.all(peers.map(async (p) => (await p.api('GET', '/api/status')).body));
    await waitFor('three voters, committed, every peer quiescent', async () => {
      const all = await statuses();
      return all.every((s) => s.quiescent && s.members.filter((m: { voter: boolean }) => m.voter).length === 3 && s.commitIndex === s.lastIndex);
    }, 40_000);

    const leaderIndex = (await statuses()).findIndex((s) => s.role === 'leader');
    expect(leaderIndex).toBeGreaterThanOrEqual(0);
    const oldLeader = peers[leaderIndex]!;
    const rest = peers.filter((p) => p !== oldLeader);
    const t0 = performance.now();
    await testLan.lan().cut(hosts[leaderIndex]!.name);
    const newLeader = await waitFor('a new leader among the others', async () => {
      for (const p of rest) {
        const s = (await p.api('GET', '/api/status')).body;
        if (s.role === 'leader') return p;
      }
      return undefined;
    }, 20_000);
    const elapsed = performance.now() - t0;
    expect((await newLeader.api('POST', '/api/notes', { text: 'without the old leader' })).status).toBe(201);
    // A few seconds: the quiet timeout (3 s) and an election, not an instant wake-up (nothing closed).
    expect(elapsed).toBeLessThan(10_000);
    await testLan.lan().restore(hosts[leaderIndex]!.name);
    await waitFor('the old leader follows and has the note', async () => {
      const s = (await oldLeader.api('GET', '/api/status')).body;
      const notes = (await oldLeader.api('GET', '/api/notes')).body.notes as { text: string }[];
      return s.role === 'follower' && notes.some((n) => n.text === 'without the old leader');
    }, 30_000);
  }, 120_000);
});
