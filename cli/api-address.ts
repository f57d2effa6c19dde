// The local API's address is kept in the data directory, so a restarted peer
// serves at the same address: its open pages reconnect and bookmarks keep
// working. `--api` overrides it (and the address served is kept from then
// on); a port that another program holds meanwhile is refused with a message
// naming it and the flag.
//
//   <data>/api-address.json   {"host":"127.0.0.1","port":41234}
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileDurably } from '../core/storage/index.ts';

/** API_ADDRESS_FILE is where the API's address is kept, in the data directory. */
export const API_ADDRESS_FILE = 'api-address.json';

/** ApiAddress is where the local API listens; port 0 picks a free port. */
export interface ApiAddress {
  host: string;
  port: number;
}

/** DEFAULT_API_ADDRESS is a free port on the loopback interface (a first start without --api). */
export const DEFAULT_API_ADDRESS: ApiAddress = { host: '127.0.0.1', port: 0 };

/** ApiAddressError says the API cannot listen where it should; its message names the address and the flag. */
export class ApiAddressError extends Error {
  static override name = 'ApiAddressError';
  override name = 'ApiAddressError';
}

/** ApiAddressChoice is the address to listen on, and whether it came from the data directory. */
export interface ApiAddressChoice {
  address: ApiAddress;
  kept: boolean;
}

/** chooseApiAddress is --api when given, else the address kept in the data directory, else DEFAULT_API_ADDRESS; `warn` hears of a damaged file. */
export async function chooseApiAddress(dataDir: string, flag: ApiAddress | undefined, warn: (message: string) => void): Promise<ApiAddressChoice> {
  if (flag !== undefined) return { address: flag, kept: false };
  const kept = await readApiAddress(dataDir, warn);
  return kept === null ? { address: DEFAULT_API_ADDRESS, kept: false } : { address: kept, kept: true };
}

/** readApiAddress is the address kept in the data directory, or null (none yet, or a damaged file: a new port is picked). */
async function readApiAddress(dataDir: string, warn: (message: string) => void): Promise<ApiAddress | null> {
  const path = join(dataDir, API_ADDRESS_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    warn(`cannot read ${path} (${(error as Error).message}); the API takes a new port.`);
    return null;
  }
  try {
    const value = JSON.parse(text) as Partial<ApiAddress> | null;
    if (typeof value?.host === 'string' && /^[0-9A-Za-z.:-]{1,255}$/.test(value.host)
      && Number.isInteger(value.port) && value.port! >= 1 && value.port! <= 65535) return { host: value.host, port: value.port! };
  } catch {
    // reported below
  }
  warn(`${path} is damaged; the API takes a new port (and keeps it there).`);
  return null;
}

/** keepApiAddress stores the address the API listens on, for the next start. */
export function keepApiAddress(dataDir: string, url: string): void {
  const { hostname, port } = new URL(url);
  const address: ApiAddress = { host: hostname.replace(/^\[|\]$/g, ''), port: Number(port) };
  writeFileDurably(dataDir, API_ADDRESS_FILE, [Buffer.from(`${JSON.stringify(address)}\n`)], 0o600);
}

/** listenProblem turns a failure to listen into an ApiAddressError that names the address and what to do; other errors are returned as they are. */
export function listenProblem(error: unknown, choice: ApiAddressChoice, dataDir: string): Error {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code !== 'EADDRINUSE' && code !== 'EACCES' && code !== 'EADDRNOTAVAIL') return error as Error;
  const { host, port } = choice.address;
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const why = code === 'EADDRINUSE' ? 'is taken by another program' : code === 'EACCES' ? 'may not be used by this user' : 'is not an address of this machine';
  const other = `pass --api ${host.includes(':') ? `[${host}]` : host}:<port> for another port (port 0 picks a free one)`;
  if (choice.kept) {
    return new ApiAddressError(`The API address ${where}, where this peer served before (kept in ${join(dataDir, API_ADDRESS_FILE)}), ${why}. `
      + `Stop that program to keep the peer's address, or ${other}.`);
  }
  return new ApiAddressError(`--api ${where}: that address ${why}. Stop that program, or ${other}.`);
}
