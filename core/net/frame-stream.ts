// Length-prefixed framing of a raft stream: `varint(len) || Frame`, repeated.
// A stream's 'message' events do not keep send() boundaries (docs/architecture.md, "Stream facts"), so
// the reader reassembles frames from whatever chunks arrive. The length prefix
// is a minimal unsigned varint of at most 5 bytes; a longer or non-minimal
// prefix, or a length above the limit, is rejected as soon as it is read,
// before any of the frame is buffered. An empty frame (length 0) is ignored.
import { LengthPrefixedDecoder } from '@libp2p/utils';
import { encodingLength } from 'uint8-varint';
import { Uint8ArrayList } from 'uint8arraylist';
import { FrameTooLargeError, InvalidFrameError } from './errors.ts';
import { decodeFrame } from './frame-decode.ts';
import type { FrameAddress } from './frame-decode.ts';
import { MAX_FRAME_BYTES } from './frame.ts';
import type { Frame } from './frame.ts';

/** MAX_PREFIX_BYTES is the longest length prefix: 5 varint bytes hold any length up to 2^35-1. */
export const MAX_PREFIX_BYTES = 5;

/** readLength decodes a length prefix; RangeError means "need more bytes", as LengthPrefixedDecoder expects. */
export function readLength(data: Uint8ArrayList | Uint8Array, maxBytes = MAX_FRAME_BYTES): number {
  let value = 0;
  let scale = 1;
  const n = Math.min(data.byteLength, MAX_PREFIX_BYTES);
  for (let i = 0; i < n; i++) {
    const byte = data instanceof Uint8Array ? data[i]! : data.get(i);
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      if (byte === 0 && i > 0) throw new InvalidFrameError('frame length prefix is not minimal');
      if (value > maxBytes) throw new FrameTooLargeError(value, maxBytes);
      return value;
    }
    scale *= 128;
    if (value > maxBytes) throw new FrameTooLargeError(value, maxBytes);
  }
  if (n === MAX_PREFIX_BYTES) throw new InvalidFrameError(`frame length prefix is longer than ${MAX_PREFIX_BYTES} bytes`);
  throw new RangeError('need more bytes for the frame length');
}

/** FrameReaderInit configures a FrameReader. */
export interface FrameReaderInit {
  /** Who sent and who receives the frames, known from the connection. */
  address: FrameAddress;
  /** Default MAX_FRAME_BYTES. */
  maxFrameBytes?: number;
}

/** FrameReader turns the chunks of one raft stream into validated frames. */
export class FrameReader {
  private readonly decoder: LengthPrefixedDecoder;
  private readonly address: FrameAddress;
  private readonly maxFrameBytes: number;

  constructor(init: FrameReaderInit) {
    this.address = init.address;
    this.maxFrameBytes = init.maxFrameBytes ?? MAX_FRAME_BYTES;
    const max = this.maxFrameBytes;
    this.decoder = new LengthPrefixedDecoder({
      maxDataLength: max,
      // One partial frame plus one chunk, which the muxer's window bounds (16 MiB).
      maxBufferSize: max + MAX_PREFIX_BYTES + 32 * 1024 * 1024,
      lengthDecoder: (data) => readLength(data, max),
      encodingLength,
    });
  }

  /**
   * push takes the next chunk of the stream and hands each frame it completes
   * to `onFrame`, in order. It throws InvalidFrameError, after handing over the
   * valid frames before it, when the stream holds anything but valid frames;
   * the reader must then be discarded with its stream.
   */
  push(chunk: Uint8Array | Uint8ArrayList, onFrame: (frame: Frame) => void): void {
    const payloads = this.decoder.decode(chunk);
    for (;;) {
      let frame: Frame;
      try {
        const next = payloads.next();
        if (next.done === true) return;
        frame = decodeFrame(next.value.subarray(), this.address, this.maxFrameBytes);
      } catch (err) {
        if (err instanceof InvalidFrameError) throw err;
        throw new InvalidFrameError(`frame stream is invalid: ${(err as Error)?.message ?? String(err)}`, { cause: err });
      }
      onFrame(frame);
    }
  }
}

/** concatFrames joins encoded frames (each from encodeFramePrefixed) into one buffer list for a single send(). */
export function concatFrames(frames: readonly Uint8Array[]): Uint8ArrayList {
  return new Uint8ArrayList(...frames);
}
