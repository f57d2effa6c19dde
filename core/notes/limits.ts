// The limits of a note, shared by the document, the API's input checks and
// the pages (through core/api/types.ts): no imports, so anything may use it.

/** MAX_TEXT_BYTES is the largest note text, in UTF-8 bytes. */
export const MAX_TEXT_BYTES = 65_536;
