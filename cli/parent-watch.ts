// `raftnotes serve --exit-with-parent`: a peer that stops when the process that
// started it is gone. That process gives the peer a pipe on stdin and never
// writes to it; when it dies for any reason (a SIGKILL or a crash included) the
// kernel closes the pipe and stdin ends. The peer's stdout and stderr were
// usually pipes to the same process, so from then on writing to them fails
// (EPIPE); those errors are dropped, or the first log line of the graceful stop
// would crash the peer instead.

/** PARENT_GONE_MESSAGE is the line a peer prints on stderr when it stops because its stdin closed. */
export const PARENT_GONE_MESSAGE = 'stdin closed: the process that started this peer is gone; stopping.';

/** watchParent resolves once stdin ends or closes; anything read from stdin is ignored. Call it first thing, so that
 *  a parent that dies while the peer starts up does not crash it with EPIPE. */
export function watchParent(): Promise<void> {
  const ignore = () => {};
  process.stdout.on('error', ignore);
  process.stderr.on('error', ignore);
  return new Promise((resolve) => {
    const end = () => resolve();
    process.stdin.once('end', end);
    process.stdin.once('close', end);
    process.stdin.once('error', end);
    process.stdin.on('data', ignore);
  });
}
