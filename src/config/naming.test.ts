// The style rules of configuration keys (see the header of schema.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONFIG_KEYS, CONFIG_TYPE, type TypeInfo } from './keys.js';

/** Unit suffixes a numeric key may end in. Extend when a new unit is needed. */
const UNITS = ['_bytes', '_kb', '_mb', '_ms', '_secs', '_mins', '_packets', '_count', '_percent', '_per_sec'];

function allPaths(t: TypeInfo, prefix: string[], out: string[][] = []): string[][] {
  for (const [name, child] of t.properties ?? []) {
    out.push([...prefix, name]);
    if (child.kind === 'object') allPaths(child, [...prefix, name], out);
  }
  return out;
}

test('keys are snake_case, never end in _config, never repeat their namespace', () => {
  for (const path of allPaths(CONFIG_TYPE, [])) {
    const name = path[path.length - 1]!;
    const where = path.join('.');
    assert.match(name, /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/, `${where}: not snake_case`);
    assert.ok(!name.endsWith('_config'), `${where}: ends in _config`);
    for (const ns of path.slice(0, -1)) {
      assert.ok(!name.split('_').includes(ns), `${where}: repeats its namespace '${ns}'`);
    }
  }
});

test('numeric keys carry their unit', () => {
  for (const key of CONFIG_KEYS.filter((k) => k.type.kind === 'integer' || k.type.kind === 'number')) {
    assert.ok(UNITS.some((u) => key.path.endsWith(u)), `${key.path}: numeric key without a unit suffix (${UNITS.join(', ')})`);
  }
});

test('every key has a description and a default unless optional; env vars and flags are unique', () => {
  for (const key of CONFIG_KEYS) {
    assert.ok(key.description.length > 10, `${key.path}: describe it`);
    assert.ok(key.default !== undefined || key.type.optional, `${key.path}: needs a default or .optional()`);
    if (key.secret) assert.equal(key.flag, undefined, `${key.path}: secrets get no flag`);
  }
  const envs = CONFIG_KEYS.map((k) => k.env);
  const flags = CONFIG_KEYS.flatMap((k) => (k.flag ? [k.flag] : []));
  assert.equal(new Set(envs).size, envs.length);
  assert.equal(new Set(flags).size, flags.length);
});
