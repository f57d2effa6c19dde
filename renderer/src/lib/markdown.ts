// A note's text as Markdown: parsed by marked (GitHub-flavoured, line breaks
// kept as typed). Raw HTML in a note is shown as the text it is, never as
// markup, and the result is sanitized by DOMPurify besides, so nothing in a
// note runs: no scripts, no event handlers, no javascript: links, no styles,
// no forms, no embedded frames or images (the page's Content-Security-Policy
// would refuse outside images anyway). Links open outside the page.
import DOMPurify from 'dompurify';
import { Marked } from 'marked';

const marked = new Marked({
  gfm: true,
  breaks: true,
  async: false,
  // Raw HTML, as a block or inline, is text: the browser never parses a note's own tags.
  renderer: { html: ({ text }) => escapeHtml(text) },
});

/** escapeHtml is `text` with HTML's special characters as entities. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const FORBID_TAGS = ['style', 'img', 'form', 'input', 'button', 'textarea', 'select', 'option', 'iframe', 'object', 'embed', 'video', 'audio', 'svg', 'math'];
const FORBID_ATTR = ['style', 'class', 'id'];

DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A') {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer');
  }
});

/** CACHE_SIZE is how many rendered notes are kept, so scrolling through a long list does not parse the same notes again. */
const CACHE_SIZE = 500;
const cache = new Map<string, string>();

/**
 * MARKDOWN_SIGNS are the characters and line starts that can make Markdown
 * (emphasis, code, links, autolinks, lists, quotes, headings, tables, HTML):
 * a text without any is one paragraph, rendered without the parser.
 */
const MARKDOWN_SIGNS = /[\\`*_[\]<>&|~#]|https?:|www\.|^( {4}|\t)|^\s*([-+=>]|\d+[.)])/m;

/** renderMarkdown is `text` as sanitized HTML. */
export function renderMarkdown(text: string): string {
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  const html = MARKDOWN_SIGNS.test(text)
    ? DOMPurify.sanitize(marked.parse(text) as string, { USE_PROFILES: { html: true }, FORBID_TAGS, FORBID_ATTR })
    : `<p>${escapeHtml(text).replace(/\n/g, '<br>')}</p>`;
  cache.set(text, html);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return html;
}

/** FOLD_CHARS and FOLD_LINES: a note longer than either is shown folded, with "Show more". */
export const FOLD_CHARS = 600;
export const FOLD_LINES = 12;

/** isLong says whether a note's text is folded at first. */
export function isLong(text: string): boolean {
  if (text.length > FOLD_CHARS) return true;
  let lines = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) if (++lines > FOLD_LINES) return true;
  return false;
}
