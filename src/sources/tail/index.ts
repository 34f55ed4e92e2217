/** The log tail source: files followed through rotation, lines in acknowledged batches. */
export { LogTailer, TAIL_DEFAULTS } from './log-tailer.js';
export { LineSplitter } from './line-splitter.js';
export type { LineReceiver } from './line-splitter.js';
export { DEFAULT_FINGERPRINT_BYTES, headRelation, headsCompatible, newFileId, readHead } from './file-fingerprint.js';
export type { HeadRelation } from './file-fingerprint.js';
export { expandGlobs, globBase, matchesSegment } from './glob.js';
export { TailStateStore, TAIL_STATE_FILE } from './tail-state.js';
export type { TailFileRow, TailFileStatus } from './tail-state.js';
export type { TailBatch, TailEvent, TailLine, TailOptions, TailStartAt, TailStats } from './types.js';
