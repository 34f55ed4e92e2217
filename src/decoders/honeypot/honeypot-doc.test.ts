import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { COWRIE_EVENTS } from './cowrie-events.js';

const DOC = new URL('../../../../docs/reference/honeypot-events.md', import.meta.url);

test('docs/reference/honeypot-events.md lists every event id of the table with its classification', () => {
  const doc = readFileSync(DOC, 'utf8');
  for (const [id, spec] of Object.entries(COWRIE_EVENTS)) {
    const row = doc.split('\n').find((l) => l.startsWith(`| \`${id}\` |`));
    assert.ok(row, `${id} has a row`);
    const cells = row.split('|').map((c) => c.trim());
    assert.equal(cells[3], spec.kind, `${id} kind`);
    assert.equal(cells[4], spec.category.join(', ') || '—', `${id} category`);
    assert.equal(cells[5], spec.type.join(', '), `${id} type`);
    assert.equal(cells[6], spec.outcome ?? '—', `${id} outcome`);
  }
});
