/** The honeypot database of the configuration (`honeypot.db`, `postgres.*`). */
import { join } from 'node:path';
import type { SluiceConfig } from '../../config/index.js';
import type { HoneypotDbOptions } from '../../sinks/relational/open-honeypot-db.js';

/** SQLite in `<data_dir>/honeypot.db`, or PostgreSQL (the config rules guarantee `postgres.url`). */
export function honeypotDatabase(config: SluiceConfig): HoneypotDbOptions {
  if (config.honeypot.db === 'postgres') {
    const p = config.postgres;
    return { dialect: 'postgres', url: p.url!.reveal(), poolMaxCount: p.pool_max_count, poolTimeoutMs: p.pool_timeout_ms, idleTimeoutMs: p.idle_timeout_ms };
  }
  return { dialect: 'sqlite', path: join(config.data_dir, 'honeypot.db') };
}
