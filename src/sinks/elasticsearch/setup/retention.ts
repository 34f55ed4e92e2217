/**
 * Retention by the date in the index name: list the daily packet indices, pick those whose UTC day
 * is older than the limit, delete them one by one. Only names that fully match the daily pattern
 * are ever considered; everything else under the same prefix is left alone.
 */
import { SluiceError } from '../../../errors.js';
import type { EngineClient } from '../http/engine-client.js';
import { assertAuthorized } from '../http/assert-authorized.js';
import { templatePattern } from '../index-template.js';
import { assertDailyPattern, dayIsOlderThan, indexDay } from './daily-pattern.js';

const DAY_MS = 86_400_000;

/** Options of {@link retentionPlan}. */
export interface RetentionOptions {
  /** Daily index pattern with %Y %m %d (`sluice-packets-%Y.%m.%d`). */
  readonly indexPattern: string;
  /** Select indices whose whole UTC day ended at least this many days ago (fractions allowed: 0.5 = 12 h). */
  readonly olderThanDays: number;
  /** "Now", epoch ms (tests). Default `Date.now()`. */
  readonly now?: number;
}

/** One index the plan deletes. */
export interface RetentionIndex {
  readonly index: string;
  /** UTC day of the index, `YYYY-MM-DD`. */
  readonly day: string;
  /** `docs.count` (null for a closed index). */
  readonly docs: number | null;
  /** `store.size` in bytes (null for a closed index). */
  readonly bytes: number | null;
}

/** What {@link retentionPlan} found. */
export interface RetentionPlan {
  readonly indexPattern: string;
  readonly olderThanDays: number;
  /** ISO time of "now" the plan was made at. */
  readonly now: string;
  /** Indices whose day ended before this ISO time are selected. */
  readonly cutoff: string;
  /** The indices to delete, oldest first. */
  readonly indices: readonly RetentionIndex[];
  /** Daily indices that are recent enough to keep. */
  readonly kept: readonly RetentionIndex[];
  /** Names under the same prefix that are not daily indices of the pattern: never touched. */
  readonly ignored: readonly string[];
}

/** What {@link applyRetention} did. */
export interface RetentionResult {
  readonly deleted: readonly RetentionIndex[];
  /** Gone already when their DELETE arrived (404). */
  readonly missing: readonly RetentionIndex[];
  readonly failed: readonly (RetentionIndex & { status: number; reason: string })[];
}

interface CatRow {
  index?: unknown;
  'docs.count'?: unknown;
  'store.size'?: unknown;
}

function num(v: unknown): number | null {
  if (v === null || v === undefined || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/**
 * Lists the indices of the pattern (`GET /_cat/indices/<prefix>*?format=json&h=index,docs.count,store.size&bytes=b`)
 * and selects the daily ones older than `olderThanDays`. Deletes nothing.
 */
export async function retentionPlan(client: EngineClient, options: RetentionOptions): Promise<RetentionPlan> {
  assertDailyPattern(options.indexPattern);
  if (!(options.olderThanDays > 0)) throw new SluiceError('SLUICE_USAGE', `the retention age must be positive, got ${options.olderThanDays} days`);
  const nowMs = options.now ?? Date.now();
  const olderThanMs = Math.round(options.olderThanDays * DAY_MS);
  const wildcard = templatePattern(options.indexPattern);
  const res = await client.request({
    method: 'GET',
    path: `/_cat/indices/${encodeURIComponent(wildcard)}`,
    query: { format: 'json', h: 'index,docs.count,store.size', bytes: 'b' },
  });
  assertAuthorized(res, client.scrub);
  let rows: CatRow[] = [];
  if (res.status === 404) {
    rows = []; // some versions answer 404 index_not_found when nothing matches
  } else if (res.status >= 300) {
    throw new SluiceError('SLUICE_ENGINE_UNSUPPORTED', `listing the indices ${wildcard} on ${res.node} failed: HTTP ${res.status} ${client.scrub(res.text().slice(0, 500))}`);
  } else {
    const body = res.json<unknown>();
    if (!Array.isArray(body)) throw new SluiceError('SLUICE_ENGINE_UNSUPPORTED', `${res.node} answered ${res.request} with something other than a JSON array`);
    rows = body as CatRow[];
  }
  const indices: RetentionIndex[] = [];
  const kept: RetentionIndex[] = [];
  const ignored: string[] = [];
  for (const row of rows) {
    if (typeof row?.index !== 'string') continue;
    const day = indexDay(options.indexPattern, row.index);
    if (day === undefined) {
      ignored.push(row.index);
      continue;
    }
    const entry = { index: row.index, day, docs: num(row['docs.count']), bytes: num(row['store.size']) };
    (dayIsOlderThan(day, olderThanMs, nowMs) ? indices : kept).push(entry);
  }
  const byDay = (a: RetentionIndex, b: RetentionIndex) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.index < b.index ? -1 : 1);
  return {
    indexPattern: options.indexPattern,
    olderThanDays: options.olderThanDays,
    now: new Date(nowMs).toISOString(),
    cutoff: new Date(nowMs - olderThanMs).toISOString(),
    indices: indices.sort(byDay),
    kept: kept.sort(byDay),
    ignored: ignored.sort(),
  };
}

/**
 * Deletes the plan's indices one by one (`DELETE /<index>`), each checked again against the daily
 * pattern first. A 404 counts as `missing`, other failures are collected (401/403 throw).
 */
export async function applyRetention(client: EngineClient, plan: RetentionPlan): Promise<RetentionResult> {
  const deleted: RetentionIndex[] = [];
  const missing: RetentionIndex[] = [];
  const failed: (RetentionIndex & { status: number; reason: string })[] = [];
  for (const entry of plan.indices) {
    if (indexDay(plan.indexPattern, entry.index) !== entry.day) {
      throw new SluiceError('SLUICE_USAGE', `refusing to delete ${JSON.stringify(entry.index)}: it is not a daily index of ${plan.indexPattern}`);
    }
    const res = await client.request({ method: 'DELETE', path: `/${encodeURIComponent(entry.index)}` });
    assertAuthorized(res, client.scrub);
    if (res.status >= 200 && res.status < 300) deleted.push(entry);
    else if (res.status === 404) missing.push(entry);
    else failed.push({ ...entry, status: res.status, reason: client.scrub(res.text().slice(0, 300)) });
  }
  return { deleted, missing, failed };
}
