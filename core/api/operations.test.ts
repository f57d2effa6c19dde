// The operation table's input checks, as every adapter runs them: what
// passes, and the code and message of what does not.
import { describe, expect, it } from 'vitest';
import { ServiceError } from '../service/errors.ts';
import { ERROR_STATUS } from './http/http-error.ts';
import { OPERATIONS } from './operations.ts';
import { checkInput } from './schemas.ts';

function refusal(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof ServiceError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('the input was accepted');
}

describe('Operations', () => {
  it('takes a note of 1 to 65,536 bytes and refuses anything else with invalid-text', () => {
    const add = OPERATIONS.addNote.input;
    expect(checkInput(add, { text: 'é'.repeat(32_768), extra: 1 })).toEqual({ text: 'é'.repeat(32_768) });
    expect(refusal(() => checkInput(add, { text: 'é'.repeat(32_769) }))).toEqual({ code: 'invalid-text', message: "The note's text must be at most 65536 bytes of UTF-8." });
    expect(refusal(() => checkInput(add, { text: '' })).code).toBe('invalid-text');
    expect(refusal(() => checkInput(add, { text: ' \n\t\u00a0' })).code).toBe('invalid-text');
    expect(checkInput(add, { text: ' x ' })).toEqual({ text: ' x ' });
    expect(refusal(() => checkInput(add, { text: 3 })).code).toBe('invalid-text');
    expect(refusal(() => checkInput(add, {})).code).toBe('invalid-text');
    expect(refusal(() => checkInput(add, [1]))).toEqual({ code: 'invalid-request', message: 'The request body must be a JSON object, e.g. {"text":"…"}.' });
  });

  it('checks an edit\'s text before its version, and takes only whole versions from 1', () => {
    const edit = OPERATIONS.editNote.input;
    expect(checkInput(edit, { id: 'n1', text: 'x', version: 2 })).toEqual({ id: 'n1', text: 'x', version: 2 });
    expect(refusal(() => checkInput(edit, { id: 'n1', text: '', version: 0 })).code).toBe('invalid-text');
    for (const version of [0, 1.5, -1, '2', 2 ** 53, undefined]) {
      expect(refusal(() => checkInput(edit, { id: 'n1', text: 'x', version })).code).toBe('invalid-version');
    }
  });

  it('reads the log range and the export format with their defaults, and refuses values out of range', () => {
    expect(checkInput(OPERATIONS.log.input, {})).toEqual({});
    expect(checkInput(OPERATIONS.log.input, { from: 3, limit: 1000 })).toEqual({ from: 3, limit: 1000 });
    expect(refusal(() => checkInput(OPERATIONS.log.input, { limit: 1001 }))).toEqual({
      code: 'invalid-range', message: 'limit must be a whole number from 1 to 1000, e.g. /api/log?from=1&limit=100.',
    });
    expect(refusal(() => checkInput(OPERATIONS.log.input, { from: 'abc' })).message).toMatch(/^from must be a whole number from 1 on/);
    expect(checkInput(OPERATIONS.exportNotes.input, {})).toEqual({ format: 'json' });
    expect(refusal(() => checkInput(OPERATIONS.exportNotes.input, { format: 'pdf' })).code).toBe('invalid-format');
  });

  it('opens a notebook by invite code when one is given, else by name, else says what to send', () => {
    const open = OPERATIONS.openNotebook.input;
    expect(checkInput(open, { name: 'Team', invite: 'rn1abc' })).toEqual({ invite: 'rn1abc' });
    expect(checkInput(open, { name: 'Team', invite: 7 })).toEqual({ name: 'Team' });
    expect(refusal(() => checkInput(open, {}))).toEqual({
      code: 'invalid-request', message: 'Send {"name":"…"} to create a notebook or {"invite":"rn1…"} to join one.',
    });
  });

  it('refuses a network switch or a leadership transfer it cannot read', () => {
    expect(refusal(() => checkInput(OPERATIONS.setIsolated.input, { isolated: 'yes' })).message).toMatch(/"isolated": true/);
    expect(refusal(() => checkInput(OPERATIONS.transferLeadership.input, { to: 5 })).code).toBe('invalid-member');
  });

  it('has one HTTP route per operation, and a status for every code the service refuses with', () => {
    const routes = Object.values(OPERATIONS).map((op) => `${op.http.method} ${op.http.path}`);
    expect(new Set(routes).size).toBe(routes.length);
    expect(Object.values(ERROR_STATUS).every((status) => status >= 400 && status < 600)).toBe(true);
  });
});
