// markdownExport is the whole document as one Markdown file: a title, then one
// section per note (`## <time> · <author>`) with the note's own Markdown as
// its body. A note is Markdown on purpose, but what it writes must stay inside
// its section; what would otherwise become the file's structure by accident
// is escaped:
//   - the author's name in the section heading is one line with Markdown's
//     punctuation escaped;
//   - headings of a note go two levels down (`#` becomes `###`), so none ranks
//     with or above the sections; a setext heading's `===` or `---` line is
//     escaped (it would make a level 1 or 2 heading);
//   - a code fence or an HTML comment a note leaves open is closed at its end,
//     so it cannot swallow the notes after it.
import type { Note } from '../notes/index.ts';

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const ATX_HEADING = /^( {0,3})(#{1,6})(?=\s|$)/;
const SETEXT_UNDERLINE = /^ {0,3}(=+|-+)[ \t]*$/;

/** markdownExport is `notes` as Markdown under the notebook's name. */
export function markdownExport(notebookName: string, notes: readonly Note[]): string {
  const parts = [`# ${inline(notebookName)}`, ''];
  for (const n of notes) {
    parts.push(`## ${new Date(n.createdAt).toISOString()} · ${inline(n.author || 'unknown')}`, '', noteBody(n.text), '');
  }
  return parts.join('\n');
}

/** inline is `text` as one line of Markdown text: whitespace runs as one space, punctuation escaped. */
function inline(text: string): string {
  return text.replace(/\s+/g, ' ').trim().replace(/[\\`*_{}[\]()<>#+!|~]/g, '\\$&');
}

/** noteBody is a note's Markdown, kept inside its section. */
function noteBody(text: string): string {
  const out: string[] = [];
  let fence: string | null = null;
  let previousIsText = false;
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    const opener = FENCE.exec(line);
    if (fence !== null) {
      // Inside a fence: only a fence of the same kind, at least as long, closes it.
      if (opener !== null && opener[1]![0] === fence[0] && opener[1]!.length >= fence.length && line.trim() === opener[1]) fence = null;
      out.push(line);
      previousIsText = false;
      continue;
    }
    if (opener !== null) {
      fence = opener[1]!;
      out.push(line);
      previousIsText = false;
      continue;
    }
    if (ATX_HEADING.test(line)) {
      out.push(line.replace(ATX_HEADING, (_m, indent: string, marks: string) => indent + '#'.repeat(Math.min(6, marks.length + 2))));
      previousIsText = false;
    } else if (previousIsText && SETEXT_UNDERLINE.test(line)) {
      out.push(`\\${line.trimStart()}`);
      previousIsText = true;
    } else {
      out.push(line);
      previousIsText = line.trim() !== '';
    }
  }
  if (fence !== null) out.push(fence);
  let body = out.join('\n');
  // An HTML comment left open would hide every note after it.
  const open = body.lastIndexOf('<!--');
  if (open !== -1 && body.indexOf('-->', open + 4) === -1) body += '\n-->';
  return body;
}
