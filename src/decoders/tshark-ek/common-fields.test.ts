import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { skipWithoutTshark } from '../../../test/support/tshark.js';
import { COMMON_FIELDS, type CommonFieldType } from './common-fields.js';
import { ValueKind } from './field-registry.js';
import { testRegistry } from './test-corpus.js';

const FITS: Record<CommonFieldType, ValueKind[]> = {
  ip: [ValueKind.Ip],
  integer: [ValueKind.Int],
  long: [ValueKind.Int, ValueKind.Int64],
  double: [ValueKind.Float],
  boolean: [ValueKind.Bool, ValueKind.Marker],
  keyword: [ValueKind.String],
  date_nanos: [ValueKind.Time],
};

describe('COMMON_FIELDS', () => {
  it('no name is a dotted prefix of another, and none repeats', () => {
    const names = COMMON_FIELDS.map(([layer, name]) => `${layer}.${name}`);
    assert.equal(new Set(names).size, names.length);
    for (const a of names) for (const b of names) assert.ok(!b.startsWith(a + '.'), `${a} / ${b}`);
  });

  it('every field exists in its layer with a type its mapping fits', { skip: skipWithoutTshark() }, () => {
    const registry = testRegistry();
    for (const [layer, name, type] of COMMON_FIELDS) {
      const info = registry.field(`${layer}_${name.replaceAll('.', '_')}`);
      assert.ok(info, `${name} is not a field of ${layer}`);
      assert.equal(info.name, name);
      assert.ok(FITS[type].includes(info.kind), `${name}: ${type} does not fit kind ${info.kind}`);
    }
  });
});
