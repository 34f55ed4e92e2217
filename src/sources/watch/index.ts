/** `sluice watch`: a directory polled for captures, ingested into the embedded store exactly once. */
export { Watcher, watchDirectory, moveNoClobber, QUARANTINE_CODES, WATCH_DEFAULTS } from './watcher.js';
export type { AfterAction, WatchEvent, WatchOptions, WatchStats } from './watcher.js';
