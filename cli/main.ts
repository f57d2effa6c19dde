// The `raftnotes` command (docs/api.md): `serve` runs a peer without a window,
// `invite` prints a data directory's invite code, `demo` runs a local cluster
// and its dashboard. main returns the process's exit code.
import { createLogger, type Logger } from '../core/service/logger.ts';
import { runDemo } from '../demo/command.ts';
import { parseCommandLine, UsageError } from './args.ts';
import { printInvite } from './invite.ts';
import { serve } from './serve.ts';

/** main runs the command line and returns the process exit code (serve runs until a signal). */
export async function main(argv: string[], log: Logger = createLogger('raftnotes')): Promise<number> {
  let args;
  try {
    args = parseCommandLine(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`raftnotes: ${error.message}\n\n${error.usage}\n`);
      return 2;
    }
    throw error;
  }
  try {
    switch (args.command) {
      case 'help':
        process.stdout.write(`${args.usage}\n`);
        return 0;
      case 'invite':
        return await printInvite(args.dataDir);
      case 'serve':
        return await serve(args, log);
      case 'demo':
        return await runDemo(args);
    }
  } catch (error) {
    process.stderr.write(`raftnotes: ${(error as Error).message}\n`);
    return 1;
  }
}
