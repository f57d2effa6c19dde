// The one call that applies this folder's process-wide patches of dependencies.
// Each patch file names the package and version it was written against and the
// upstream issue it works around; each has a test that fails once upstream
// changes the behaviour it works around.
import { installLengthPrefixFastPath } from './length-prefix-fast-path.ts';
import { installLazyWindowUpdates } from './yamux-window-updates.ts';

/**
 * installPatches applies every process-wide patch of a dependency: lazy yamux
 * window updates and the length prefix fast path. Whoever starts a libp2p node
 * calls it once first (createPeer does). Idempotent. The mDNS reliance is not
 * installed here: it wraps each lanDiscovery instance (mdns-responder.ts).
 */
export function installPatches(): void {
  installLazyWindowUpdates();
  installLengthPrefixFastPath();
}
