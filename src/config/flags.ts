/** Mapping parsed command-line options (commander's `opts()`) onto `loadConfig({ flags })`. */
import { CONFIG_KEYS } from './keys.js';

/**
 * Pick the configuration flags out of commander's `opts()` (attribute names such as
 * `ingestBatchPackets` for `--ingest-batch-packets`) and key them by dotted config path.
 * Options that were not given (`undefined`) are left out, so they do not shadow lower layers.
 */
export function configFlagsFromOptions(opts: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const flags: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    if (!key.flagAttribute) continue;
    const value = opts[key.flagAttribute];
    if (value !== undefined) flags[key.path] = value;
  }
  return flags;
}
