import { describe, expect, it } from 'vitest';
import { DEMO_USAGE, parseCommandLine, parseHostPort, SERVE_USAGE, USAGE, UsageError } from './args.ts';

describe('CommandLine', () => {
  it('reads serve with every flag', () => {
    const args = parseCommandLine(['serve', '--data', '/d', '--create', 'Team', '--name', 'Ada', '--listen', '/ip4/127.0.0.1/tcp/0',
      '--api', '127.0.0.1:8080', '--peer', '/ip4/10.0.0.2/tcp/4001', '--peer', '/ip4/10.0.0.3/tcp/4001', '--no-mdns', '--max-voters', '3', '--tick-ms', '100', '--exit-with-parent', '--lab']);
    expect(args).toEqual({
      command: 'serve', dataDir: '/d', create: 'Team', name: 'Ada', listen: ['/ip4/127.0.0.1/tcp/0'], api: { host: '127.0.0.1', port: 8080 },
      peers: ['/ip4/10.0.0.2/tcp/4001', '/ip4/10.0.0.3/tcp/4001'], mdns: false, maxVoters: 3, snapshotEvery: 10_000, tickMs: 100, exitWithParent: true, lab: true,
    });
  });

  it('has defaults: no --api (the address kept in the data directory, else a free port), mDNS on, five voters, a 10 ms tick', () => {
    expect(parseCommandLine(['serve', '--data', 'd'])).not.toHaveProperty('api');
    expect(parseCommandLine(['serve', '--data', 'd'])).toMatchObject({ mdns: true, maxVoters: 5, peers: [], tickMs: 10 });
  });

  it('reads --exit-with-parent as a flag without a value, off by default, and lists it in the usage', () => {
    expect(parseCommandLine(['serve', '--data', 'd', '--exit-with-parent'])).toMatchObject({ command: 'serve', exitWithParent: true });
    expect(parseCommandLine(['serve', '--data', 'd'])).toMatchObject({ exitWithParent: false });
    expect(() => parseCommandLine(['serve', '--data', 'd', '--exit-with-parent=yes'])).toThrow(UsageError);
    expect(() => parseCommandLine(['invite', '--data', 'd', '--exit-with-parent'])).toThrow(/only --data/);
    expect(SERVE_USAGE).toContain('--exit-with-parent');
  });

  it('refuses bad command lines with a message that says what to do', () => {
    const bad = (...argv: string[]) => () => parseCommandLine(argv);
    expect(bad('serve')).toThrow(/--data <dir> is required/);
    expect(bad('serve', '--data', 'd', '--create', 'x', '--invite', 'y')).toThrow(/exclude each other/);
    expect(bad('serve', '--data', 'd', '--peer', 'not-an-address')).toThrow(/not a multiaddr/);
    expect(bad('serve', '--data', 'd', '--max-voters', '0')).toThrow(/--max-voters/);
    expect(bad('serve', '--data', 'd', '--api', '8080')).toThrow(/host:port/);
    expect(bad('serve', '--data', 'd', '--frobnicate')).toThrow(UsageError);
    expect(bad('serve', '--data', 'd', '--snapshot-every', '2')).toThrow(/--snapshot-every/);
    for (const ms of ['0', '1001', '2.5', 'fast', '']) expect(bad('serve', '--data', 'd', '--tick-ms', ms)).toThrow(/--tick-ms must be whole milliseconds from 1 to 1000/);
    expect(bad('invite', '--data', 'd', '--create', 'x')).toThrow(/only --data/);
    expect(bad('launch', '--data', 'd')).toThrow(/unknown command/);
    expect(bad('serve', '--data', 'd', '--invite', 'rn1garbage')).toThrow(/^--invite: This invite code is not valid/);
    const wrong = (() => { try { parseCommandLine(['demo', '--nodes', '12']); } catch (e) { return e as UsageError; } return null; })();
    expect(wrong?.usage).toBe(DEMO_USAGE); // printed with the help of its command
  });

  it('reads invite and help', () => {
    expect(parseCommandLine(['invite', '--data', 'd'])).toEqual({ command: 'invite', dataDir: 'd' });
    expect(parseCommandLine([])).toEqual({ command: 'help', usage: USAGE });
    expect(parseCommandLine(['--help'])).toEqual({ command: 'help', usage: USAGE });
    expect(parseCommandLine(['serve', '--help'])).toEqual({ command: 'help', usage: SERVE_USAGE });
    expect(parseCommandLine(['help', 'demo'])).toEqual({ command: 'help', usage: DEMO_USAGE });
    expect(parseCommandLine(['help', 'nothing'])).toEqual({ command: 'help', usage: USAGE });
    expect(parseCommandLine(['help', 'constructor'])).toEqual({ command: 'help', usage: USAGE });
    expect(() => parseCommandLine(['toString', '--help'])).toThrow(/unknown command "toString"/);
  });

  it('reads host:port, IPv6 included', () => {
    expect(parseHostPort('[::1]:9000')).toEqual({ host: '::1', port: 9000 });
    expect(parseHostPort('localhost:0')).toEqual({ host: 'localhost', port: 0 });
    expect(() => parseHostPort('127.0.0.1:70000')).toThrow(UsageError);
  });
});
