#!/usr/bin/env node
// Runs every compiled test file (dist/**/*.test.js) with Node's built-in test runner.
// Usage: node scripts/test.js [substring…]   (only files whose path contains one of the substrings)
// tshark is installed by scripts/stack/ensure-tshark.sh when missing; suites that need a server
// start it themselves and skip loudly (fail under CI=true) when they cannot.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const files = walk(join(root, 'dist'), [])
  .filter((f) => !f.includes('/node_modules/'))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error('No test files found under dist/. Did the build run?');
  process.exit(1);
}
// tshark is the reference of the differential suites: install it when missing (the suites say so
// loudly and skip when that fails; under CI=true they fail).
if (spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status !== 0) {
  spawnSync('bash', [join(root, 'scripts/stack/ensure-tshark.sh')], { stdio: 'inherit' });
}

const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
