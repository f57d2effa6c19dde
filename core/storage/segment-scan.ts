// scanSegment walks the records of one segment and decides what the end of its
// data is: a clean end, a torn write to cut off, or damage that must stop the
// peer. Format: ./wal-format.ts.
//
// How a tear is told from damage. Every save writes one batch with one write()
// into zero-filled space and fdatasyncs it before the next, so a crash can only
// leave the last batch short, and a short write leaves zeros from a sector
// boundary on: SIGKILL stops a write between pages; power loss loses whole
// sectors. So the first bad record is a torn tail when the file holds nothing
// but zeros from some 512-byte boundary inside that record onward. Anything
// else is damage: a checksum failure followed by more data, a zeroed header
// followed by data, or a record that runs past the end of the file (a segment
// is preallocated, its size made durable before it gets its name, and never
// written past its end, so a crash cannot make it shorter than its data: the
// file was cut short after the fact, and whatever followed is lost).

import { checkRecord, dataEnd, type RecordCheck } from './record-reader.ts';

/** SECTOR is the granularity at which a crash can cut a write short. */
const SECTOR = 512;

/** SegmentTail is how the data of a segment ends. */
export type SegmentTail =
  | { kind: 'clean'; end: number }
  | { kind: 'torn'; end: number; problem: string; dataEnd: number }
  | { kind: 'corrupt'; end: number; problem: string };

/** RecordVisitor receives each intact record: its type, payload offset and length, and the record's own offset. */
export type RecordVisitor = (type: number, payload: number, length: number, offset: number) => void;

/**
 * scanSegment calls `visit` for each intact record of `buf` in order and returns
 * how the data ends; `end` is the offset of the first record that is not intact.
 */
export function scanSegment(buf: Uint8Array, visit: RecordVisitor): SegmentTail {
  const r: RecordCheck = { problem: null, type: 0, payload: 0, length: 0, end: 0 };
  let off = 0;
  for (;;) {
    if (off === buf.length) return { kind: 'clean', end: off };
    checkRecord(buf, off, r);
    if (r.problem !== null) break;
    visit(r.type, r.payload, r.length, off);
    off = r.end;
  }
  const zerosFrom = dataEnd(buf);
  switch (r.problem) {
    case 'zero':
      return zerosFrom <= off
        ? { kind: 'clean', end: off }
        : { kind: 'corrupt', end: off, problem: `a zeroed record header is followed by data up to offset ${zerosFrom}` };
    case 'past-end':
      return {
        kind: 'corrupt',
        end: off,
        problem: 'the file ends inside this record: it was cut short (truncated) after it was written, and what followed is lost',
      };
    case 'header-checksum':
    case 'payload-checksum': {
      const what = r.problem === 'header-checksum' ? 'record header' : 'record';
      const cut = Math.ceil(Math.max(zerosFrom, off + 1) / SECTOR) * SECTOR;
      if (cut < r.end) {
        return {
          kind: 'torn',
          end: off,
          problem: `the last ${what} is incomplete (zeros from offset ${zerosFrom})`,
          dataEnd: zerosFrom,
        };
      }
      return { kind: 'corrupt', end: off, problem: `${what} checksum mismatch (the data is damaged, not cut short by a crash)` };
    }
  }
}
