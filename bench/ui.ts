// bench:ui — the notes page with 100,000 notes, in Debian's Chromium.
//
//   npm run bench:ui [-- --notes 100000 --visible-runs 200 --loads 3 --in-flight 96 --out bench/results/ui.md]
//
// Three `raftnotes serve` peers on 127.0.0.1 (durable storage); the leader is
// filled with --notes notes of 100 bytes (64-in-flight POSTs). Then, on a
// follower's page (its own peer serves it, over HTTP and server-sent events):
// 1. first render: from navigation to the list counting every note and showing
//    its first ones (in-page clock, performance.now() since navigation start),
//    --loads times, and the page's JavaScript heap and DOM size after a garbage
//    collection (Chrome DevTools Protocol);
// 2. scrolling: the list scrolled by 60 px per animation frame for 4 s, then
//    jumped to random places once per frame for 2 s: frame times p50/p99 and
//    the share of frames over 16.7 ms (one frame at 60 fps);
// 3. commit on one peer to visible on another peer's page: --visible-runs
//    notes posted one at a time to the leader, each timed from the moment its
//    201 (committed) answer arrives to the moment it is in the follower page's
//    list (newest first, so it shows at the top): p50/p99; and from the POST
//    being sent, which adds the commit itself.
// Writes bench/results/ui.md and a screenshot beside it; removes every process
// and directory it made.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, hostname, loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright';
import { killAllChildren, removeTempDirs } from './cluster/children.ts';
import { percentile, text100 } from './cluster/load.ts';
import { apiCall, RaftnotesCluster, type RaftnotesPeer } from './cluster/raftnotes-cluster.ts';
import { ensureCliBundle } from '../scripts/build-cli.ts';
import { ensureRendererBuilt } from '../scripts/build-renderer.ts';
import { launchBrowser } from '../test/ui/ui-helpers.ts';

const { values } = parseArgs({
  options: {
    notes: { type: 'string', default: '100000' },
    'visible-runs': { type: 'string', default: '200' },
    loads: { type: 'string', default: '3' },
    'in-flight': { type: 'string', default: '64' },
    out: { type: 'string', default: '' },
  },
});
const NOTES = Number(values.notes);
const VISIBLE_RUNS = Number(values['visible-runs']);
const LOADS = Number(values.loads);
const IN_FLIGHT = Number(values['in-flight']);
for (const [flag, n] of [['--notes', NOTES], ['--visible-runs', VISIBLE_RUNS], ['--loads', LOADS], ['--in-flight', IN_FLIGHT]] as const) {
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${flag} must be a whole number from 1, e.g. ${flag} 10`);
}
const OUT = values.out === '' ? new URL('./results/ui.md', import.meta.url).pathname : values.out;
const SCREENSHOT = join(dirname(OUT), 'ui-100k.png');
const REPO = new URL('..', import.meta.url).pathname;

const log = (line: string) => console.error(`[bench:ui] ${line}`);
const ms = (n: number) => `${n < 10 ? n.toFixed(1) : Math.round(n).toLocaleString('en')} ms`;

/** fill posts `count` notes to `peer`, `inFlight` at a time; it returns the notes per second. */
async function fill(peer: RaftnotesPeer, count: number, inFlight: number): Promise<number> {
  const url = `${peer.ready!.api}/api/notes`;
  const headers = { authorization: `Bearer ${peer.ready!.token}`, 'content-type': 'application/json' };
  let next = 0;
  let done = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < count) {
      const n = next++;
      // A connection reset under load is tried again (a note may then be added twice: the report counts what the follower holds).
      for (let attempt = 1; ; attempt++) {
        try {
          const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ text: text100(n + 1) }) });
          await res.arrayBuffer();
          if (res.status === 201 || res.status === 202) break;
          if (res.status >= 400 && res.status !== 503) throw new Error(`POST /api/notes answered ${res.status}`);
        } catch (error) {
          if (attempt >= 5 || (error as Error).message.startsWith('POST')) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
        }
      }
      if (++done % 10_000 === 0) log(`${done.toLocaleString('en')} notes`);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return count / ((performance.now() - t0) / 1000);
}

/** firstRender loads the page and answers the in-page time until it counts `count` notes and shows the first one. */
async function firstRender(page: Page, url: string, count: number): Promise<number> {
  await page.goto(url);
  const counted = `${count.toLocaleString('en')} committed`;
  return page.evaluate(async (counted) => {
    for (;;) {
      const text = document.querySelector('#notes-heading + .count')?.textContent ?? '';
      const item = document.querySelector('[aria-label="Notes"] [role="listitem"] .note-text');
      if (text.trim().startsWith(counted) && item !== null) {
        // The frame that shows it.
        await new Promise((resolve) => requestAnimationFrame(resolve));
        return performance.now();
      }
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
  }, counted);
}

/** frameTimes scrolls the list and answers the time between animation frames, in ms. */
async function frameTimes(page: Page, mode: 'steady' | 'jumps', seconds: number): Promise<number[]> {
  return page.evaluate(async ({ mode, seconds }) => {
    const scroller = document.querySelector<HTMLElement>('.note-scroller')!;
    scroller.scrollTop = 0;
    await new Promise((resolve) => requestAnimationFrame(resolve));
    const times: number[] = [];
    let last = performance.now();
    const end = last + seconds * 1000;
    for (;;) {
      await new Promise((resolve) => requestAnimationFrame(resolve));
      const now = performance.now();
      times.push(now - last);
      last = now;
      if (now > end) return times;
      if (mode === 'steady') scroller.scrollTop += 60;
      else scroller.scrollTop = Math.random() * (scroller.scrollHeight - scroller.clientHeight);
    }
  }, { mode, seconds });
}

/** memory is the page's JavaScript heap after a garbage collection, and its DOM nodes. */
async function memory(page: Page): Promise<{ heapMb: number; nodes: number }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? NaN;
  await cdp.detach();
  return { heapMb: metric('JSHeapUsedSize') / 1024 / 1024, nodes: metric('Nodes') };
}

/** commitToVisible posts notes one at a time to `leader` and times each until it is in `page`'s list. */
async function commitToVisible(page: Page, leader: RaftnotesPeer, runs: number): Promise<{ fromAnswer: number[]; fromSend: number[] }> {
  await page.getByRole('combobox', { name: 'Order' }).selectOption('newest');
  // The page records when each bench note first shows (its own clock, the machine's).
  await page.evaluate(() => {
    const seen = new Map<string, number>();
    (window as unknown as { __seen: Map<string, number> }).__seen = seen;
    const list = document.querySelector('[aria-label="Notes"]')!;
    new MutationObserver(() => {
      for (const el of Array.from(list.querySelectorAll('.note-text'))) {
        const m = /^visible (\d+)/.exec(el.textContent ?? '');
        if (m && !seen.has(m[1]!)) seen.set(m[1]!, Date.now());
      }
    }).observe(list, { childList: true, subtree: true, characterData: true });
  });
  const fromAnswer: number[] = [];
  const fromSend: number[] = [];
  for (let i = 1; i <= runs; i++) {
    const sent = Date.now();
    const res = await apiCall(leader.ready!, 'POST', '/api/notes', { text: `visible ${i} ${'x'.repeat(80)}` });
    const answered = Date.now();
    if (res.status !== 201) throw new Error(`POST /api/notes answered ${res.status}`);
    const shownAt = await page.waitForFunction((i) => (window as unknown as { __seen: Map<string, number> }).__seen.get(String(i)), i,
      { timeout: 10_000, polling: 'raf' }).then((h) => h.jsonValue() as Promise<number>);
    fromAnswer.push(Math.max(0, shownAt - answered));
    fromSend.push(shownAt - sent);
  }
  return { fromAnswer, fromSend };
}

const loadAtStart = loadavg()[0]!;
const stats = (xs: number[]) => ({ p50: percentile(xs, 0.5), p99: percentile(xs, 0.99), max: Math.max(...xs) });
const over = (xs: number[], limit: number) => (100 * xs.filter((x) => x > limit).length / xs.length).toFixed(1);

await ensureCliBundle();
ensureRendererBuilt();
const cluster = new RaftnotesCluster();
const browser = await launchBrowser();
try {
  log('starting three peers');
  await cluster.start();
  const leader = await cluster.healthy(30_000);
  const follower = cluster.peers.find((p) => p !== leader)!;
  log(`filling the leader with ${NOTES.toLocaleString('en')} notes`);
  const fillRate = await fill(leader, NOTES, IN_FLIGHT);
  const total = await (async () => {
    for (;;) {
      const { body } = await apiCall<{ appliedIndex: number; commitIndex: number }>(follower.ready!, 'GET', '/api/status');
      const lead = await apiCall<{ commitIndex: number }>(leader.ready!, 'GET', '/api/status');
      if (body.appliedIndex >= lead.body.commitIndex) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return (await apiCall<{ notes: unknown[] }>(follower.ready!, 'GET', '/api/notes')).body.notes.length;
  })();
  log(`the follower holds ${total.toLocaleString('en')} notes`);

  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const url = `${follower.ready!.api}/`;
  const loads: number[] = [];
  for (let i = 0; i < LOADS; i++) loads.push(await firstRender(page, url, total));
  log(`first render: ${loads.map(ms).join(', ')}`);
  const mem = await memory(page);
  mkdirSync(dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT });
  const steady = await frameTimes(page, 'steady', 4);
  const jumps = await frameTimes(page, 'jumps', 2);
  log(`scrolling: steady p99 ${ms(percentile(steady, 0.99))}, jumps p99 ${ms(percentile(jumps, 0.99))}`);
  const visible = await commitToVisible(page, leader, VISIBLE_RUNS);
  const a = stats(visible.fromAnswer);
  const s = stats(visible.fromSend);
  log(`commit to visible: p50 ${ms(a.p50)}, p99 ${ms(a.p99)}`);

  const lines = [
    '# bench:ui — the notes page with 100,000 notes',
    '',
    `Run: \`npm run bench:ui${process.argv.slice(2).length > 0 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\` on ${hostname()}, ${cpus().length} cores shared with other work, ${new Date().toISOString()};`,
    `load average (1 min) ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end: every number below is taken on a machine that busy.`,
    'Three `raftnotes serve` peers on 127.0.0.1 with durable storage; Debian\'s Chromium (headless, no GPU) driven by Playwright, viewport 1280×900;',
    'the page of a follower, served by its own peer (HTTP and server-sent events).',
    '',
    `Filling: ${total.toLocaleString('en')} notes of 100 bytes posted to the leader, ${IN_FLIGHT} in flight: ${Math.round(fillRate).toLocaleString('en')} notes/s.`,
    '',
    '| measure | value |',
    '| --- | --- |',
    `| first render of ${total.toLocaleString('en')} notes (navigation → counted and shown), ${LOADS} loads | ${loads.map(ms).join(', ')} (median ${ms(percentile(loads, 0.5))}) |`,
    `| page memory: JavaScript heap after a garbage collection | ${mem.heapMb.toFixed(1)} MB |`,
    `| page memory: DOM nodes | ${mem.nodes.toLocaleString('en')} |`,
    `| scrolling 60 px per frame, 4 s: frame time p50 / p99 / max | ${ms(percentile(steady, 0.5))} / ${ms(percentile(steady, 0.99))} / ${ms(Math.max(...steady))} (${steady.length} frames; ${over(steady, 16.7)} % over 16.7 ms, ${over(steady, 25)} % over 25 ms: a frame dropped at 60 fps) |`,
    `| jumping to a random place every frame, 2 s: frame time p50 / p99 / max | ${ms(percentile(jumps, 0.5))} / ${ms(percentile(jumps, 0.99))} / ${ms(Math.max(...jumps))} (${jumps.length} frames; ${over(jumps, 16.7)} % over 16.7 ms, ${over(jumps, 25)} % over 25 ms) |`,
    `| commit on the leader (its 201 answer) → visible on the follower's page, ${VISIBLE_RUNS} notes one at a time: p50 / p99 / max | ${ms(a.p50)} / ${ms(a.p99)} / ${ms(a.max)} |`,
    `| the same from the POST being sent (adds the commit itself): p50 / p99 / max | ${ms(s.p50)} / ${ms(s.p99)} / ${ms(s.max)} |`,
    '',
    `Screenshot of the page with every note: \`${relative(REPO, SCREENSHOT)}\`.`,
    '',
    'How: first render is the page\'s own clock (performance.now() since navigation start) at the frame after the list',
    'counts every note and shows its first; memory from the DevTools protocol (Performance.getMetrics after',
    'HeapProfiler.collectGarbage); frame times are the gaps between requestAnimationFrame callbacks while the script',
    'scrolls the list; "visible" is when a MutationObserver in the page first sees the note\'s text in the list',
    '(Date.now() of the same machine as the bench\'s clock).',
    '',
  ];
  const text = lines.join('\n');
  console.log(text);
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, text);
} finally {
  await browser.close().catch(() => {});
  await cluster.stop().catch(() => {});
  await killAllChildren();
  await removeTempDirs();
}
