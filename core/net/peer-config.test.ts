import { generateKeyPair } from '@libp2p/crypto/keys';
import { describe, expect, it } from 'vitest';
import { IsolationGate } from './isolation-gate.ts';
import { createNotebook } from './notebook.ts';
import { DEFAULT_LISTEN, mdnsServiceTag, peerLibp2pOptions } from './peer-config.ts';

describe('PeerConfig', () => {
  it('turns mDNS on by default and off on request', async () => {
    const init = { privateKey: await generateKeyPair('Ed25519'), notebook: createNotebook('n') };
    const gate = new IsolationGate();
    expect(peerLibp2pOptions(init, gate).peerDiscovery).toHaveLength(1);
    expect(peerLibp2pOptions({ ...init, mdns: { interval: 1000 } }, gate).peerDiscovery).toHaveLength(1);
    expect(peerLibp2pOptions({ ...init, mdns: false }, gate).peerDiscovery).toHaveLength(0);
    expect(peerLibp2pOptions(init, gate).addresses?.listen).toEqual([...DEFAULT_LISTEN]);
  });

  it('keeps connections through a stalled event loop shorter than the ping timeout', async () => {
    const o = peerLibp2pOptions({ privateKey: await generateKeyPair('Ed25519'), notebook: createNotebook('n') }, new IsolationGate());
    expect(o.connectionMonitor?.pingTimeout?.minTimeout).toBe(30_000);
    expect(o.connectionMonitor?.pingInterval).toBe(10_000);
    expect(o.connectionManager?.inboundConnectionThreshold).toBeGreaterThanOrEqual(100);
  });

  it('names the mDNS service after the notebook key, not the notebook id', () => {
    const a = createNotebook('a');
    const b = createNotebook('b');
    expect(mdnsServiceTag(a)).toMatch(/^_rn[0-9a-f]{12}\._udp\.local$/);
    expect(mdnsServiceTag(a)).toBe(mdnsServiceTag({ ...a, name: 'renamed' }));
    expect(mdnsServiceTag(a)).not.toBe(mdnsServiceTag(b));
    expect(mdnsServiceTag(a)).not.toContain(a.id.slice(0, 12));
  });
});
