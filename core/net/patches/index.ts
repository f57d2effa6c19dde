// Patches of dependencies and reliance on their internals, in one place: what
// each changes, against which version, and why, is at the top of its file.
export { installPatches } from './install-patches.ts';
export { mdnsAnswering } from './mdns-responder.ts';
export type { MdnsAnswering, MdnsQuery, MdnsResponder } from './mdns-responder.ts';
export { isPatched, upstreamMethod } from './prototype-patch.ts';
