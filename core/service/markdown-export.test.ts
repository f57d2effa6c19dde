import { Lexer, type Token } from 'marked';
import { describe, expect, it } from 'vitest';
import type { Note } from '../notes/index.ts';
import { markdownExport } from './markdown-export.ts';

const note = (n: number, text: string, author = 'Ada'): Note =>
  ({ id: `n${n}`, seq: n, number: n, text, author, createdAt: Date.UTC(2026, 0, n), updatedAt: 0, version: 1 });

/** sectionHeadings are the export's headings of level 1 and 2, as a Markdown parser reads them. */
function sectionHeadings(markdown: string): string[] {
  return Lexer.lex(markdown).filter((t: Token) => t.type === 'heading' && (t as { depth: number }).depth <= 2)
    .map((t: Token) => (t as { text: string }).text);
}

describe('markdownExport', () => {
  it('keeps one section per note, whatever the notes write', () => {
    const notes = [
      note(1, '# A heading of my own\nand text'),
      note(2, 'Title\n===\nunderlined, and\n\nanother\n---'),
      note(3, '```js\nconst open = "a fence never closed";'),
      note(4, 'after the fence <!-- a comment never closed'),
      note(5, 'plain', 'Eve\n## not a heading * of _mine_'),
      note(6, 'last'),
    ];
    const md = markdownExport('Team # notes', notes);
    const headings = sectionHeadings(md);
    expect(headings).toHaveLength(1 + notes.length);
    expect(headings[0]).toBe('Team \\# notes');
    expect(headings.slice(1).every((h) => /^2026-01-0\d/.test(h))).toBe(true);
    expect(headings[5]).toContain('Eve \\#\\# not a heading \\* of \\_mine\\_');
  });

  it('keeps a note\'s own Markdown, its headings two levels down', () => {
    const md = markdownExport('N', [note(1, '# Plan\n- one\n- **two**\n\n```\n# not a heading in code\n```')]);
    expect(md).toContain('### Plan\n- one\n- **two**\n\n```\n# not a heading in code\n```');
  });
});
