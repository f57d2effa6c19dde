// Logger is the one way the peer, the command line and the demo write
// diagnostics: a level, a component, a line. Lines go to one sink (standard
// error by default) as `<ISO time> <level> <component>: <text>`; RAFTNOTES_LOG
// (debug, info, warn, error) sets the lowest level written, default info.
// What the user sees as the peer's own story (elections, partitions) is not
// logging: those are the `log` events of the service, which the command also
// prints through a Logger.

/** LogLevel orders what is written, from the most to the least verbose. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** LogSink receives each formatted line, without its newline. */
export type LogSink = (line: string) => void;

/** LoggerInit configures createLogger. */
export interface LoggerInit {
  /** The lowest level written; default RAFTNOTES_LOG or info. */
  level?: LogLevel;
  /** Where lines go; default standard error (write errors, e.g. a closed pipe, are dropped). */
  sink?: LogSink;
  /** The time of a line; default Date.now. */
  now?: () => number;
}

/** Logger writes lines of one component. */
export interface Logger {
  debug(text: string): void;
  info(text: string): void;
  warn(text: string, error?: unknown): void;
  error(text: string, error?: unknown): void;
  /** child is a logger of a sub-component (`parent:child`) with the same level and sink. */
  child(component: string): Logger;
}

/** parseLogLevel reads a level name, or returns null for anything else. */
export function parseLogLevel(value: string | undefined): LogLevel | null {
  return value !== undefined && value in ORDER ? value as LogLevel : null;
}

/** createLogger makes the logger of `component`. */
export function createLogger(component: string, init: LoggerInit = {}): Logger {
  const level = init.level ?? parseLogLevel(process.env['RAFTNOTES_LOG']) ?? 'info';
  const sink = init.sink ?? stderrSink;
  const now = init.now ?? Date.now;
  const write = (at: LogLevel, text: string, error?: unknown) => {
    if (ORDER[at] < ORDER[level]) return;
    const detail = error === undefined ? '' : `: ${error instanceof Error ? error.stack ?? error.message : String(error)}`;
    sink(`${new Date(now()).toISOString()} ${at} ${component}: ${text}${detail}`);
  };
  return {
    debug: (text) => write('debug', text),
    info: (text) => write('info', text),
    warn: (text, error) => write('warn', text, error),
    error: (text, error) => write('error', text, error),
    child: (sub) => createLogger(`${component}:${sub}`, { level, sink, now }),
  };
}

function stderrSink(line: string): void {
  try {
    process.stderr.write(`${line}\n`);
  } catch {
    // stderr closed (the process that read it is gone): nothing to tell
  }
}
