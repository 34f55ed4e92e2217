// docs/reference/errors.md must list exactly the codes of ERROR_CODES (src/errors.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES } from '../errors.js';
import { REPO_ROOT } from './test-support.js';

const DOC = 'docs/reference/errors.md';

/** `| \`CODE\` | stage | description |` rows of the doc. */
function documented(): Map<string, { stage: string; description: string }> {
  const text = readFileSync(join(REPO_ROOT, DOC), 'utf8');
  const rows = new Map<string, { stage: string; description: string }>();
  for (const line of text.split('\n')) {
    const m = /^\| `([A-Z0-9_]+)` \| ([a-z]+) \| (.*) \|$/.exec(line.trim());
    if (!m) continue;
    assert.ok(!rows.has(m[1]!), `${DOC}: ${m[1]} is listed twice`);
    rows.set(m[1]!, { stage: m[2]!, description: m[3]!.replaceAll('\\|', '|') });
  }
  return rows;
}

test(`${DOC} lists every code of ERROR_CODES with its stage and description, and nothing else`, () => {
  const doc = documented();
  const table = new Map(Object.entries(ERROR_CODES).map(([code, d]) => [code, { stage: d.stage, description: d.description }]));
  const missing = [...table.keys()].filter((c) => !doc.has(c));
  const extra = [...doc.keys()].filter((c) => !table.has(c));
  assert.deepEqual(missing, [], `codes in src/errors.ts missing from ${DOC}`);
  assert.deepEqual(extra, [], `codes in ${DOC} that src/errors.ts does not have`);
  for (const [code, def] of table) assert.deepEqual(doc.get(code), def, `${DOC}: ${code} differs from src/errors.ts`);
  assert.deepEqual([...doc.keys()], [...table.keys()], `${DOC}: list the codes in the order of src/errors.ts`);
});
