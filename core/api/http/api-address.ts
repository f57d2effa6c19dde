// The local API's address is kept in the data directory, so a restarted peer
// serves at the same address: its open pages reconnect, bookmarks and scripts
// keep working. One rule for `raftnotes serve` and the desktop app's API for
// scripts: an address given explicitly (`--api`) overrides the kept one (and
// the address served is kept from then on); a kept port that another program
// holds meanwhile is refused with a message naming it and what to do.
//
//   <data>/api-address.json   {"host":"127.0.0.1","port":41234}
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileDurably } from '../../storage/index.ts';

/** API_ADDRESS_FILE is where the API's address is kept, in the data directory. */
export const API_ADDRESS_FILE = 'api-address.json';

/** ApiAddress is where the local API listens; port 0 picks a free port. */
export interface ApiAddress {
  host: string;
  port: number;
}

/** DEFAULT_API_ADDRESS is a free port on the loopback interface (a first start without an explicit address). */
export const DEFAULT_API_ADDRESS: ApiAddress = { host: '127.0.0.1', port: 0 };

/** ApiAddressError says the API cannot listen where it should; its message names the address and what to do. */
export class ApiAddressError extends Error {
  static override name = 'ApiAddressError';
  override name = 'ApiAddressError';
}

/** KeptAddressInit says whose address is kept and how its user serves elsewhere. */
export interface KeptAddressInit {
  dataDir: string;
  /** An address given explicitly (`--api`); it overrides the kept one. */
  explicit?: ApiAddress | undefined;
  /** How an explicit address is given, for messages: `--api`. Without one, the user cannot give one. */
  explicitName?: string;
  /** What the user does to serve elsewhere, for `host`: "pass --api 127.0.0.1:<port> for another port". */
  elsewhere: (host: string) => string;
  /** Hears of a damaged address file (a new port is then picked). */
  warn: (message: string) => void;
}

/**
 * listenAtKeptAddress calls `listen` at the explicit address, else at the one
 * kept in the data directory, else at DEFAULT_API_ADDRESS; it keeps the
 * address `listen` answers (its URL) for the next start and returns it. A
 * failure to listen there is an ApiAddressError saying what to do.
 */
export async function listenAtKeptAddress(init: KeptAddressInit, listen: (address: ApiAddress) => Promise<string>): Promise<string> {
  const choice = await chooseApiAddress(init);
  const url = await listen(choice.address).catch((error: unknown) => { throw listenProblem(error, choice, init); });
  keepApiAddress(init.dataDir, url);
  return url;
}

/** ApiAddressChoice is the address to listen on, and whether it came from the data directory. */
interface ApiAddressChoice {
  address: ApiAddress;
  kept: boolean;
}

/** chooseApiAddress is the explicit address when given, else the address kept in the data directory, else DEFAULT_API_ADDRESS. */
async function chooseApiAddress(init: KeptAddressInit): Promise<ApiAddressChoice> {
  if (init.explicit !== undefined) return { address: init.explicit, kept: false };
  const kept = await readApiAddress(init.dataDir, init.warn);
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
function keepApiAddress(dataDir: string, url: string): void {
  const { hostname, port } = new URL(url);
  const address: ApiAddress = { host: hostname.replace(/^\[|\]$/g, ''), port: Number(port) };
  writeFileDurably(dataDir, API_ADDRESS_FILE, [Buffer.from(`${JSON.stringify(address)}\n`)], 0o600);
}

/** listenProblem turns a failure to listen into an ApiAddressError that names the address and what to do; other errors are returned as they are. */
function listenProblem(error: unknown, choice: ApiAddressChoice, init: KeptAddressInit): Error {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code !== 'EADDRINUSE' && code !== 'EACCES' && code !== 'EADDRNOTAVAIL') return error as Error;
  const { host, port } = choice.address;
  const bracketed = host.includes(':') ? `[${host}]` : host;
  const where = `${bracketed}:${port}`;
  const why = code === 'EADDRINUSE' ? 'is taken by another program' : code === 'EACCES' ? 'may not be used by this user' : 'is not an address of this machine';
  const other = init.elsewhere(bracketed);
  if (choice.kept) {
    return new ApiAddressError(`The API address ${where}, where this peer served before (kept in ${join(init.dataDir, API_ADDRESS_FILE)}), ${why}. `
      + `Stop that program to keep the peer's address, or ${other}.`);
  }
  const given = init.explicitName === undefined ? `The API address ${where}` : `${init.explicitName} ${where}`;
  return new ApiAddressError(`${given}: that address ${why}. Stop that program, or ${other}.`);
}
