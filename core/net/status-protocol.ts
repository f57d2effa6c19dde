// /raftnotes/status/1: ask a peer for its own status record (name, role, term,
// commitIndex, lastIndex, …) for the cluster view. The record is an opaque
// JSON object chosen by the service, at most MAX_REQUEST_BYTES (64 KiB) as UTF-8.
// /raftnotes/status/2 is the same exchange on a stream kept open for the next
// request (./request-stream.ts): members poll each other by peer id that way;
// a multiaddr (a peer not connected yet) is asked on a stream of its own.
import { ProtocolError } from './errors.ts';
import { toTarget } from './join-protocol.ts';
import { handleRequests, MAX_REQUEST_BYTES, request } from './request-response.ts';
import type { RequestOptions, RequestResponseComponents } from './request-response.ts';
import { handleRequestStreams, RequestStreams } from './request-stream.ts';

/** STATUS_PROTOCOL is the libp2p protocol id of the status exchange. */
export const STATUS_PROTOCOL = '/raftnotes/status/1';

/** STATUS_STREAM_PROTOCOL is the status exchange on a long-lived stream. */
export const STATUS_STREAM_PROTOCOL = '/raftnotes/status/2';

/** StatusRecord is a peer's own status as a JSON object. */
export type StatusRecord = Record<string, unknown>;

/** StatusProvider returns this peer's status record when another peer asks; `from` is the asker's peer id. */
export type StatusProvider = (from: string) => Promise<StatusRecord> | StatusRecord;

/** encodeStatus encodes a status record, refusing one that is not a JSON object or is too large. */
export function encodeStatus(record: StatusRecord): Uint8Array {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) throw new ProtocolError('a status record must be a JSON object');
  const bytes = new TextEncoder().encode(JSON.stringify(record));
  if (bytes.byteLength > MAX_REQUEST_BYTES) throw new ProtocolError(`status record of ${bytes.byteLength} bytes is larger than ${MAX_REQUEST_BYTES}`);
  return bytes;
}

/** decodeStatus decodes a status record; it throws ProtocolError unless the bytes are a UTF-8 JSON object. */
export function decodeStatus(bytes: Uint8Array): StatusRecord {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw new ProtocolError(`status record is not UTF-8 JSON: ${(err as Error).message}`, { cause: err });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ProtocolError('status record is not a JSON object');
  return value as StatusRecord;
}

/** handleStatus registers the provider of this peer's status record, on both status protocols. */
export async function handleStatus(c: RequestResponseComponents, provider: StatusProvider): Promise<void> {
  const respond = async (_bytes: Uint8Array, from: string) => encodeStatus(await provider(from));
  await handleRequests(c, STATUS_PROTOCOL, respond);
  await handleRequestStreams(c, STATUS_STREAM_PROTOCOL, respond);
}

/** statusStreams makes the keeper of a peer's long-lived status streams (one per peer asked). */
export function statusStreams(c: RequestResponseComponents): RequestStreams {
  return new RequestStreams(c, STATUS_STREAM_PROTOCOL);
}

/** fetchStatus asks the peer `target` for its status record: by peer id on a long-lived stream of `streams`, by multiaddr on a stream of its own. */
export async function fetchStatus(c: RequestResponseComponents, target: string, options?: RequestOptions, streams?: RequestStreams): Promise<StatusRecord> {
  if (streams !== undefined && !target.startsWith('/')) return decodeStatus(await streams.request(target, new Uint8Array(0), options));
  return decodeStatus(await request(c, toTarget(target), STATUS_PROTOCOL, new Uint8Array(0), options));
}
