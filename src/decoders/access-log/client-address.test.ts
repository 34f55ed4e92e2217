import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { test } from 'node:test';
import fc from 'fast-check';
import { isIpAddress } from './client-address.js';

test('isIpAddress is net.isIP for dotted quads and near-misses (leading zeros, 256, five parts, blanks)', () => {
  const part = fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.constantFrom('00', '01', '010', '255', '256', '', ' 1', '1 ', 'a', '-1', '1000'));
  const text = fc.oneof(
    fc.array(part, { minLength: 1, maxLength: 6 }).map((p) => p.join('.')),
    fc.string({ maxLength: 16, unit: fc.constantFrom('1', '0', '2', '5', '.', ':', 'a', 'f', ' ') }),
  );
  fc.assert(fc.property(text, (t) => assert.equal(isIpAddress(t), isIP(t) !== 0, t)), { numRuns: 20_000 });
  for (const t of ['192.0.2.1', '0.0.0.0', '255.255.255.255', '2001:db8::1', '::ffff:192.0.2.1', '1.2.3.4.', '.1.2.3', '1..2.3']) assert.equal(isIpAddress(t), isIP(t) !== 0, t);
});
