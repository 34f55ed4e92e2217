/**
 * Per-item outcomes of a `_bulk` response, in request order.
 *
 * - 200/201 → created; 409 (`version_conflict_engine_exception` on `create`) → already there.
 * - 429, any 5xx, and `es_rejected_execution_exception` (also seen with other statuses on old
 *   versions) → retry that item only.
 * - any other 4xx (mapping conflicts, invalid documents) → dead letter, with the type and reason.
 *
 * Peers drop exactly these partial failures (even 429s); here every item gets a fate.
 */
import type { ItemOutcome } from '../util/sink-item.js';

interface BulkItemResult {
  status?: number;
  error?: { type?: string; reason?: string; caused_by?: { type?: string; reason?: string } } | string;
}

interface BulkResponse {
  errors?: boolean;
  items?: Record<string, BulkItemResult>[];
}

const RETRYABLE_TYPES = new Set(['es_rejected_execution_exception', 'circuit_breaking_exception', 'cluster_block_exception', 'unavailable_shards_exception']);

/** The outcome of each of `count` items from a parsed bulk response. Missing items are retried. */
export function bulkOutcomes(response: BulkResponse, count: number): ItemOutcome[] {
  const out: ItemOutcome[] = new Array(count);
  const items = response.items ?? [];
  for (let i = 0; i < count; i++) {
    const entry = items[i];
    const r = entry === undefined ? undefined : (entry.create ?? entry.index ?? Object.values(entry)[0]);
    if (r === undefined || typeof r.status !== 'number') {
      out[i] = { kind: 'retry', status: 0, reason: 'no result for this item in the bulk response' };
      continue;
    }
    const status = r.status;
    if (status >= 200 && status < 300) {
      out[i] = { kind: 'created' };
      continue;
    }
    const err = typeof r.error === 'string' ? { type: 'error', reason: r.error } : r.error ?? {};
    const type = err.type ?? 'unknown';
    const reason = [err.reason, err.caused_by?.reason].filter(Boolean).join(': ') || `status ${status}`;
    if (status === 409) out[i] = { kind: 'exists' };
    else if (status === 429 || status >= 500 || RETRYABLE_TYPES.has(type)) out[i] = { kind: 'retry', status, reason: `${type}: ${reason}` };
    else out[i] = { kind: 'dead', status, type, reason };
  }
  return out;
}
