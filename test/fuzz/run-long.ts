/**
 * Long fuzzing run (`npm run fuzz`): runs every compiled fuzz suite (dist/test/fuzz/*.fuzz.test.js)
 * with many more runs per property than `npm test` does.
 *
 *   node dist/test/fuzz/run-long.js [runs]            runs per property (default 20000)
 *   SLUICE_FUZZ_SEED=random node dist/test/fuzz/run-long.js
 *                                                     fresh seed, printed (else the fixed one or
 *                                                     SLUICE_FUZZ_SEED=<n>)
 *
 * Exits with the status of the test runner.
 */

import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const arg = process.argv[2];
const runs = arg !== undefined ? Number(arg) : 20000;
if (!Number.isInteger(runs) || runs <= 0) {
  console.error(`usage: run-long.js [runs]  (a positive integer, got ${arg})`);
  process.exit(2);
}
process.env.SLUICE_FUZZ_RUNS = String(runs);
// Resolve 'random' once here so that every suite uses (and the log shows) the same seed.
if (process.env.SLUICE_FUZZ_SEED === 'random') process.env.SLUICE_FUZZ_SEED = String(Date.now() | 0);

const files = readdirSync(here)
  .filter((f) => f.endsWith('.fuzz.test.js'))
  .sort()
  .map((f) => join(here, f));
if (files.length === 0) {
  console.error(`no *.fuzz.test.js in ${here}; did the build run?`);
  process.exit(1);
}

const seed = process.env.SLUICE_FUZZ_SEED ?? '(fixed default)';
console.log(`fuzz: ${files.length} suites, ${runs} runs per property, seed ${seed}`);
const t0 = Date.now();
const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], { stdio: 'inherit', env: process.env });
const secs = ((Date.now() - t0) / 1000).toFixed(1);
console.log(`fuzz: finished in ${secs} s (seed ${seed}, ${runs} runs per property), exit status ${r.status ?? r.signal}`);
if (r.error) console.error(r.error);
process.exit(r.status ?? 1);
