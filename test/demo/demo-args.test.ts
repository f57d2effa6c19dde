// The flags of `raftnotes demo`: what is accepted, and the message for what is not.
import { describe, expect, it } from 'vitest';
import { parseCommandLine, UsageError } from '../../cli/args.ts';

describe('DemoArgs', () => {
  it('defaults to five nodes decided later, any port, a temporary directory and the browser', () => {
    expect(parseCommandLine(['demo'])).toEqual({ command: 'demo', port: 0, open: true, tickMs: 10 });
  });

  it('takes --nodes 1 to 9, --data, --port, --no-open and --tick-ms', () => {
    expect(parseCommandLine(['demo', '--nodes', '9', '--data', '/tmp/d', '--port', '8080', '--no-open', '--tick-ms', '100']))
      .toEqual({ command: 'demo', nodes: 9, dataDir: '/tmp/d', port: 8080, open: false, tickMs: 100 });
    expect(parseCommandLine(['demo', '--nodes', '1'])).toMatchObject({ nodes: 1 });
  });

  it('refuses other node counts, bad ports and unknown flags with what to do', () => {
    for (const n of ['0', '10', 'five', '2.5']) {
      expect(() => parseCommandLine(['demo', '--nodes', n])).toThrow(/--nodes must be a whole number from 1 to 9/);
    }
    expect(() => parseCommandLine(['demo', '--port', '70000'])).toThrow(/--port must be a port number/);
    expect(() => parseCommandLine(['demo', '--tick-ms', '5000'])).toThrow(/--tick-ms must be whole milliseconds/);
    expect(() => parseCommandLine(['demo', '--create', 'x'])).toThrow(UsageError);
  });
});
