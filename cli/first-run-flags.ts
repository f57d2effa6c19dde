// --create and --invite matter only on a data directory's first start. Given
// on a directory that already holds a notebook, they would be ignored and the
// old notebook started in silence; they are refused instead, with the
// notebook found and what to do. An invite to that same notebook is no
// contradiction: the peer starts it.
import { parseInvite, readNotebookFile, type Notebook } from '../core/net/index.ts';
import type { ServeArgs } from './args.ts';

/** FirstRunFlagsError says --create or --invite was given on a data directory that holds another notebook. */
export class FirstRunFlagsError extends Error {
  static override name = 'FirstRunFlagsError';
  override name = 'FirstRunFlagsError';
}

/** checkFirstRunFlags throws FirstRunFlagsError when `args` create or join a notebook on a data directory that holds another one. */
export async function checkFirstRunFlags(args: Pick<ServeArgs, 'dataDir' | 'create' | 'invite'>): Promise<void> {
  if (args.create === undefined && args.invite === undefined) return;
  const found = await readNotebookFile(args.dataDir);
  if (found === null) return;
  const holds = `${args.dataDir} already holds the notebook ${describe(found)}`;
  const startIt = `To open it, start without ${args.create !== undefined ? '--create' : '--invite'}`;
  if (args.create !== undefined) {
    throw new FirstRunFlagsError(`--create ${JSON.stringify(args.create)}: ${holds}. ${startIt}; to make the notebook ${JSON.stringify(args.create)}, pass --data with a new directory.`);
  }
  let invited: Notebook;
  try {
    invited = parseInvite(args.invite!).notebook;
  } catch (error) {
    throw new FirstRunFlagsError(`--invite: ${holds}, and the invite code does not read (${(error as Error).message}). ${startIt}.`);
  }
  if (invited.id === found.id) return;
  throw new FirstRunFlagsError(`--invite: ${holds}; the invite is to the notebook ${describe(invited)}. ${startIt}; to join ${JSON.stringify(invited.name)}, pass --data with a new directory.`);
}

function describe(notebook: Notebook): string {
  return `${JSON.stringify(notebook.name)} (id ${notebook.id})`;
}
