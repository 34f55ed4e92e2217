/**
 * A second process for shared-limiter.test.ts: takes tokens from one Redis bucket in small `drop`
 * batches from `START_AT` to `END_AT` (epoch ms, from the parent) and prints what it was granted.
 */
import { RedisBucketStore } from '../../../src/pipeline/rate-limit/redis-bucket-store.js';

const env = process.env;
const store = await RedisBucketStore.open({ url: env.REDIS_URL!, keyPrefix: env.PREFIX, ratePerSec: Number(env.RATE), burst: Number(env.BURST) });
const startAt = Number(env.START_AT);
const endAt = Number(env.END_AT);
while (Date.now() < startAt) await new Promise((r) => setTimeout(r, 5));
let granted = 0;
let calls = 0;
let lastCallEnd = 0;
while (Date.now() < endAt) {
  granted += (await store.take('shared', 5, 'drop')).granted;
  calls++;
  lastCallEnd = Date.now();
}
process.stdout.write(JSON.stringify({ granted, calls, lastCallEnd, counts: store.counts }) + '\n');
await store.close();
