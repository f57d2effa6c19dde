import { MemoryNetwork } from './memory-network.ts';
import type { MemoryTransport } from './memory-transport.ts';
import { transportComplianceSuite } from './testing/transport-compliance.ts';

transportComplianceSuite('memory', async (size) => {
  const network = new MemoryNetwork({ windowBytes: 1024 * 1024 });
  const running = new Map<number, MemoryTransport>();
  const id = (i: number) => `node-${i}`;
  return {
    id,
    async start(i, options) {
      if (i >= size) throw new Error(`no transport ${i}`);
      const t = network.createTransport(id(i), options);
      running.set(i, t);
      return t;
    },
    async stop(i) {
      await running.get(i)?.stop();
      running.delete(i);
    },
    async cleanup() {
      await Promise.all([...running.values()].map((t) => t.stop()));
      running.clear();
    },
  };
});
