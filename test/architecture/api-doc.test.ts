// docs/api.md against the operation table (core/api/operations.ts): every
// operation has its section, with its operation name and every input field,
// no section documents an operation that does not exist, the status section
// names every field of the status answer, and the error table gives every
// code of the service the status the HTTP adapter answers.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_STATUS } from '../../core/api/http/http-error.ts';
import { OPERATIONS } from '../../core/api/operations.ts';
import { NotesService } from '../../core/service/notes-service.ts';

const DOC = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');

/** sections maps each `### \`METHOD /path\`` heading of the page to the text under it. */
function sections(): Map<string, string> {
  const out = new Map<string, string>();
  const parts = DOC.split(/^### `([A-Z]+ \/[^`]*)`$/m);
  for (let i = 1; i < parts.length; i += 2) out.set(parts[i]!, parts[i + 1]!.split(/^## /m)[0]!);
  return out;
}

/** inputFields lists the fields of a valibot input schema (an object, possibly inside a pipe). */
function inputFields(schema: unknown): string[] {
  const s = schema as { type?: string; entries?: Record<string, unknown>; pipe?: unknown[] };
  if (s.type === 'object' && s.entries !== undefined) return Object.keys(s.entries);
  for (const item of s.pipe ?? []) {
    if (item !== schema) {
      const fields = inputFields(item);
      if (fields.length > 0) return fields;
    }
  }
  return [];
}

describe('ApiDoc', () => {
  it('documents every operation of the table with its method, path, name and input fields, and nothing else', () => {
    const documented = sections();
    const routes = new Set<string>();
    for (const [name, op] of Object.entries(OPERATIONS)) {
      const route = `${op.http.method} ${op.http.path}`;
      routes.add(route);
      const text = documented.get(route);
      expect(text, `docs/api.md has no section "### \`${route}\`"`).toBeDefined();
      expect(text, `the section of ${route} names its operation`).toContain(`Operation \`${name}\``);
      for (const field of inputFields(op.input)) expect(text, `the section of ${route} names its input ${field}`).toContain(`\`${field}\``);
    }
    expect([...documented.keys()].filter((route) => !routes.has(route) && route !== 'GET /api/events')).toEqual([]);
  });

  it('names every field of the status answer', () => {
    // A service that has not started answers its first-run status, with every field of PeerStatus.
    const status = new NotesService({ dataDir: '/nonexistent', name: 'Doc' }).status();
    const text = sections().get('GET /api/status')!;
    for (const field of Object.keys(status)) expect(text, `the section of GET /api/status names ${field}`).toMatch(new RegExp(`\\b${field}\\b`));
  });

  it('gives every error code of the service the status the HTTP adapter answers', () => {
    for (const [code, status] of Object.entries(ERROR_STATUS)) {
      expect(DOC, `docs/api.md's error table has the row of ${code}`).toMatch(new RegExp(`^\\| \`${code}\` \\| ${status} \\|`, 'm'));
    }
  });
});
