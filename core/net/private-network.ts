// The libp2p private network (pnet) connection protector, wire-compatible with
// @libp2p/pnet and go-libp2p's pnet: each side sends a random 24-byte nonce,
// then everything it writes is XORed with the XSalsa20 stream of (its nonce,
// the notebook key), and everything it reads with the stream of the remote's
// nonce. Without the key the Noise handshake that follows reads noise and the
// connection never opens. It replaces @libp2p/pnet's protector only for its
// cipher (@noble/ciphers' XSalsa20, xsalsa20.ts, which says what defect of
// @libp2p/pnet's this avoids).
import { randomBytes } from 'node:crypto';
import type { AbortOptions, ConnectionProtector, MessageStream, MultiaddrConnection } from '@libp2p/interface';
import { AbstractMultiaddrConnection, byteStream } from '@libp2p/utils';
import type { AbstractMultiaddrConnectionInit } from '@libp2p/utils';
import type { Uint8ArrayList } from 'uint8arraylist';
import { NOTEBOOK_KEY_BYTES } from './notebook.ts';
import { XSalsa20 } from './xsalsa20.ts';

/** NONCE_BYTES is the length of the nonce each side sends first. */
export const NONCE_BYTES = 24;

/** PrivateNetworkInit configures privateNetwork. */
export interface PrivateNetworkInit {
  /** The 32-byte pre-shared key (a notebook key). */
  key: Uint8Array;
  /** The nonce exchange must finish within this many ms (when libp2p gives no signal). Default 5000. */
  timeoutMs?: number;
}

interface PrivateConnectionInit extends AbstractMultiaddrConnectionInit {
  inner: MultiaddrConnection;
  localNonce: Uint8Array;
  remoteNonce: Uint8Array;
  key: Uint8Array;
}

/** PrivateConnection is a connection whose bytes are XORed with XSalsa20 key streams both ways. */
class PrivateConnection extends AbstractMultiaddrConnection {
  private readonly inner: MultiaddrConnection;
  private readonly inbound: XSalsa20;
  private readonly outbound: XSalsa20;

  constructor(init: PrivateConnectionInit) {
    super(init);
    this.inner = init.inner;
    this.inbound = new XSalsa20(init.remoteNonce, init.key);
    this.outbound = new XSalsa20(init.localNonce, init.key);
    this.inner.addEventListener('message', (evt) => {
      const data = evt.data;
      try {
        if (data instanceof Uint8Array) this.onData(this.inbound.update(data));
        else for (const buf of data) this.onData(this.inbound.update(buf));
      } catch (err) {
        // A used-up key stream (KeyStreamExhaustedError) ends this connection, not the process.
        this.abort(err as Error);
      }
    });
    this.inner.addEventListener('drain', () => { this.onMuxerDrain(); });
    this.inner.addEventListener('close', (evt) => {
      if (evt.error != null) {
        if (evt.local === true) this.abort(evt.error);
        else this.onRemoteReset();
      } else {
        this.onTransportClosed();
      }
    });
  }

  override async sendClose(options?: AbortOptions): Promise<void> {
    await this.inner.close(options);
  }

  sendData(data: Uint8ArrayList): { sentBytes: number; canSendMore: boolean } {
    return { sentBytes: data.byteLength, canSendMore: this.inner.send(this.outbound.update(data.subarray())) };
  }

  sendReset(err: Error): void {
    this.inner.abort(err);
  }

  sendPause(): void {
    this.inner.pause();
  }

  sendResume(): void {
    this.inner.resume();
  }
}

/** privateNetwork returns the libp2p connectionProtector of a private network keyed by `init.key`. */
export function privateNetwork(init: PrivateNetworkInit): () => ConnectionProtector {
  if (init.key.byteLength !== NOTEBOOK_KEY_BYTES) throw new RangeError(`a private network key must be ${NOTEBOOK_KEY_BYTES} bytes`);
  const key = Uint8Array.from(init.key);
  const timeoutMs = init.timeoutMs ?? 5000;
  return () => ({
    async protect(connection: MessageStream, options?: AbortOptions): Promise<MessageStream> {
      const maConn = connection as MultiaddrConnection;
      const log = maConn.log.newScope('private-network');
      const signal = options?.signal ?? AbortSignal.timeout(timeoutMs);
      const localNonce = new Uint8Array(randomBytes(NONCE_BYTES));
      const bytes = byteStream(maConn);
      const [remote] = await Promise.all([
        bytes.read({ bytes: NONCE_BYTES, signal }),
        bytes.write(localNonce, { signal }),
      ]);
      const inner = bytes.unwrap();
      return new PrivateConnection({
        inner, localNonce, remoteNonce: remote.subarray(), key, log,
        remoteAddr: inner.remoteAddr, direction: inner.direction,
      });
    },
  });
}
