import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { describe, it } from 'node:test';
import { skipWithoutTshark, tsharkFields } from '../../../test/support/tshark.js';
import { JsonBytes } from '../../pipeline/json-bytes.js';
import { EkDocumentWriter, isJsonNumber, isoTime, MAX_INDEXED_CHARS, writeValue } from './ek-document-writer.js';
import { FieldBudget } from './field-budget.js';
import { ValueKind } from './field-registry.js';
import { parseEkLine } from './parse-ek-line.js';
import { EK_CORPUS, ekDocumentLines, testRegistry, tsharkFrameCount } from './test-corpus.js';

type Doc = {
  '@timestamp': string;
  frame_number: number;
  protocol: string;
  network?: { community_id: string };
  layers: Record<string, Record<string, unknown>>;
  layers_other: Record<string, Record<string, unknown>>;
  layers_overflow?: Record<string, Record<string, unknown>>;
  sluice?: { overflow_fields: number };
};

function value(kind: ValueKind, v: string | boolean | null): unknown {
  const out = new JsonBytes(256);
  writeValue(out, kind, v);
  return JSON.parse(out.view().toString());
}

function documents(file: string, budget?: FieldBudget): Doc[] {
  const writer = new EkDocumentWriter(testRegistry(), { fileName: basename(file), captureId: 'cid' }, budget);
  const out = new JsonBytes(1 << 16);
  return ekDocumentLines(file).map((line) => {
    const packet = parseEkLine(line);
    out.reset();
    writer.write(packet, writer.meta(packet), 'packets-x', out);
    return JSON.parse(out.view().toString()) as Doc;
  });
}

describe('writeValue types by the registered field type', () => {
  it('integers: decimal and BASE_HEX to numbers, 64-bit beyond 2^53 to exact decimal strings', () => {
    assert.equal(value(ValueKind.Int, '443'), 443);
    assert.equal(value(ValueKind.Int, '0x0800'), 2048);
    assert.equal(value(ValueKind.Int, '-5'), -5);
    assert.equal(value(ValueKind.Int64, '9007199254740993'), '9007199254740993');
    assert.equal(value(ValueKind.Int64, '0xffffffffffffffff'), '18446744073709551615');
    assert.equal(value(ValueKind.Int64, '4294967295'), 4294967295);
    assert.equal(value(ValueKind.Int, 'n/a'), 'n/a'); // kept, never invented
  });
  it('floats keep the printed digits; booleans, markers, times, strings', () => {
    const out = new JsonBytes(64);
    writeValue(out, ValueKind.Float, '1591780794.740079123');
    assert.equal(out.view().toString(), '1591780794.740079123');
    assert.equal(value(ValueKind.Float, '3'), 3);
    assert.equal(value(ValueKind.Bool, '1'), true);
    assert.equal(value(ValueKind.Bool, false), false);
    assert.equal(value(ValueKind.Marker, null), true);
    assert.equal(value(ValueKind.String, null), null);
    assert.equal(value(ValueKind.Time, '2020-06-10T09:19:54.740079000Z'), '2020-06-10T09:19:54.740079000Z');
    assert.equal(value(ValueKind.Time, '1591780794.740079000'), '2020-06-10T09:19:54.740079000Z');
    assert.equal(value(ValueKind.Ip, '2001:db8::1'), '2001:db8::1');
  });
  it('UTC times at full precision; JSON number check', () => {
    assert.equal(isoTime(0, '0.000000001'), '1970-01-01T00:00:00.000000001Z');
    assert.equal(isoTime(1704067199, '1704067199.5'), '2023-12-31T23:59:59.5Z');
    assert.equal(isJsonNumber('01'), false);
    assert.equal(isJsonNumber('1.'), false);
    assert.equal(isJsonNumber('-0.25e3'), true);
  });
});

describe('documents from real tshark output of the corpus', { skip: skipWithoutTshark() }, () => {
  for (const file of EK_CORPUS) {
    it(basename(file), () => {
      const docs = documents(file);
      assert.equal(docs.length, tsharkFrameCount(file));
      const ref = tsharkFields(file, ['frame.number', 'frame.time_epoch', 'frame.protocols', 'ip.src', 'tcp.seq', 'tcp.srcport']);
      for (let i = 0; i < docs.length; i++) {
        const d = docs[i];
        const [frame, epoch, protocols, ipSrc, tcpSeq, tcpSrcPort] = ref[i];
        assert.equal(d.frame_number, Number(frame));
        // @timestamp is the UTC time of frame.time_epoch with every digit tshark printed.
        const [sec, frac] = epoch.split('.');
        assert.equal(d['@timestamp'], new Date(Number(sec) * 1000).toISOString().slice(0, 19) + '.' + frac + 'Z');
        assert.equal(d.protocol, protocols.split(':').pop());
        if (ipSrc !== '' && d.layers.ip !== undefined) {
          assert.deepEqual([d.layers.ip['ip.src']].flat().join(','), ipSrc);
        }
        if (tcpSeq !== '' && d.layers.tcp?.['tcp.seq'] !== undefined) {
          assert.deepEqual([d.layers.tcp['tcp.seq']].flat(), tcpSeq.split(',').map(Number));
          assert.deepEqual([d.layers.tcp['tcp.srcport']].flat(), tcpSrcPort.split(',').map(Number));
        }
        for (const tree of [d.layers, d.layers_other]) {
          for (const [layer, fields] of Object.entries(tree)) {
            const names = Object.keys(fields);
            for (const name of names) {
              // No leaf is also an object path in the same layer: a dynamic mapping accepts every document.
              assert.ok(!names.some((n) => n.startsWith(name + '.')), `${layer}: ${name} is a leaf and a parent`);
            }
          }
        }
        // Typed: explicit fields are never strings where the template says number/boolean.
        for (const [k, v] of Object.entries(d.layers.tcp ?? {})) {
          if (k === 'tcp.flags.str') continue;
          for (const x of [v].flat()) assert.ok(typeof x === 'number' || typeof x === 'boolean', `${k}=${String(x)}`);
        }
      }
    });
  }

  it('finds the Community ID, long-tail fields, 64-bit-safe values and a DNS answer list', () => {
    const docs = documents(EK_CORPUS[0]);
    const answer = docs[1];
    assert.match(answer.network!.community_id, /^1:[A-Za-z0-9+/]+=*$/);
    assert.equal(answer.layers.dns['dns.flags.response'], true);
    assert.ok(Array.isArray(answer.layers.dns['dns.a']));
    assert.equal(typeof answer.layers_other.eth['eth.dst_resolved'], 'string');
    // FT_NONE markers become true; a field with children is written as <name>._value.
    const syn = documents(EK_CORPUS[2])[0];
    assert.equal(syn.layers_other.tcp['tcp.connection.syn'], true);
    assert.equal(syn.layers_other.tcp['tcp.flags._value'], 2);
    assert.equal(syn.layers.tcp['tcp.flags.syn'], true);
  });

  it('a bounded budget parks the overflow unindexed and counts it', () => {
    const budget = new FieldBudget(20);
    const docs = documents(EK_CORPUS[0], budget);
    const overflowed = docs.filter((d) => d.sluice !== undefined);
    assert.ok(overflowed.length > 0);
    const indexed = new Set<string>();
    for (const d of docs) {
      for (const [layer, f] of Object.entries(d.layers_other)) for (const k of Object.keys(f)) indexed.add(`${layer}.${k}`);
      let n = 0;
      for (const f of Object.values(d.layers_overflow ?? {})) n += Object.keys(f).length;
      assert.equal(d.sluice?.overflow_fields ?? 0, n);
    }
    assert.equal(indexed.size, 20);
  });

  it('values too long to index go to layers_overflow', () => {
    const docs = documents(EK_CORPUS[3]); // HTTP with bodies and payload hex dumps
    for (const d of docs) {
      for (const f of Object.values(d.layers_other)) {
        for (const v of Object.values(f)) for (const x of [v].flat()) if (typeof x === 'string') assert.ok(x.length <= MAX_INDEXED_CHARS);
      }
    }
  });
});
