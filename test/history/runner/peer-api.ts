// One call to a peer's local API with a deadline, answered as a value: the
// status and body, or the transport error (refused, reset, timed out). The
// clients classify it into an outcome; the runner's own calls only need it
// not to hang on a paused or cut-off peer.
import type { ReadyLine } from '../../cluster/peer-process.ts';

/** Answer is a status and parsed body, or the error that stood in for one. */
export type Answer = { status: number; body: any } | { error: string };

/** callPeer calls `method path` on the peer with its token; it never throws. */
export async function callPeer(ready: ReadyLine, method: string, path: string, body?: unknown, timeoutMs = 5_000): Promise<Answer> {
  try {
    const res = await fetch(`${ready.api}${path}`, {
      method,
      headers: { authorization: `Bearer ${ready.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text.length > 0 ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed };
  } catch (error) {
    return { error: errorCode(error) };
  }
}

/** errorCode names a failed fetch: ECONNREFUSED, ECONNRESET, timeout, … */
function errorCode(error: unknown): string {
  const err = error as { name?: string; code?: string; cause?: { code?: string; name?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'timeout';
  return err.cause?.code ?? err.code ?? err.cause?.name ?? err.name ?? 'error';
}
