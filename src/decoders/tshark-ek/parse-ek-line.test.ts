import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { describe, it } from 'node:test';
import { skipWithoutTshark } from '../../../test/support/tshark.js';
import { EkSyntaxError, isEkActionLine, parseEkLine, peekFrameNumber } from './parse-ek-line.js';
import { EK_CORPUS, ekDocumentLines } from './test-corpus.js';

describe('parseEkLine', () => {
  it('keeps every occurrence of a repeated key, in order (JSON.parse keeps only the last)', () => {
    const p = parseEkLine('{"timestamp":"1000","layers":{"eth":{"eth_eth_addr":"a","eth_eth_type":"0x0800","eth_eth_addr":"b"},"ip":{"ip_ip_addr":["1.1.1.1","2.2.2.2"]}}}');
    assert.equal(p.timestamp, '1000');
    assert.deepEqual(p.keys, ['eth_eth_addr', 'eth_eth_type', 'eth_eth_addr', 'ip_ip_addr']);
    assert.deepEqual(p.values, ['a', '0x0800', 'b', ['1.1.1.1', '2.2.2.2']]);
    assert.deepEqual(p.layers, ['eth', 'eth', 'eth', 'ip']);
  });

  it('flattens nested objects into their layer; reads booleans, null, numbers and escapes', () => {
    const p = parseEkLine('{"layers":{"tcp":{"tcp_tcp_flags_syn":true,"_ws_expert":{"tcp_tcp_connection_syn":null,"_ws_expert__ws_expert_message":"say \\"hi\\"\\n"},"x":-1.5e2}}}');
    assert.deepEqual(p.keys, ['tcp_tcp_flags_syn', 'tcp_tcp_connection_syn', '_ws_expert__ws_expert_message', 'x']);
    assert.deepEqual(p.values, [true, null, 'say "hi"\n', -150]);
    assert.deepEqual(p.layers, ['tcp', 'tcp', 'tcp', 'tcp']);
  });

  it('flattens a layer printed as an array of objects (a layer repeated in one frame)', () => {
    const p = parseEkLine('{"layers":{"tls":[{"tls_tls_record_version":"0x0303","text":"a"},{"tls_tls_record_version":"0x0301"}]}}');
    assert.deepEqual(p.keys, ['tls_tls_record_version', 'text', 'tls_tls_record_version']);
    assert.deepEqual(p.values, ['0x0303', 'a', '0x0301']);
    assert.deepEqual(p.layers, ['tls', 'tls', 'tls']);
  });

  it('refuses what is not JSON', () => {
    assert.throws(() => parseEkLine('{"layers":{"a":{"b":"c"}'), EkSyntaxError);
    assert.throws(() => parseEkLine('{"layers":{"a":{"b":nope}}}'), EkSyntaxError);
    assert.throws(() => parseEkLine('not json'), EkSyntaxError);
  });

  it('peeks the frame number and tells action lines apart', () => {
    assert.equal(peekFrameNumber('{"layers":{"frame":{"frame_frame_number":"4711","x":"1"}}}'), 4711);
    assert.equal(peekFrameNumber('{"layers":{}}'), 0);
    assert.equal(isEkActionLine('{"index":{"_index":"packets-2020-06-10","_type":"doc"}}'), true);
    assert.equal(isEkActionLine('{"timestamp":"1"}'), false);
  });

  describe('on real tshark output of the corpus', { skip: skipWithoutTshark() }, () => {
    for (const file of EK_CORPUS) {
      it(basename(file), () => {
        const lines = ekDocumentLines(file);
        assert.ok(lines.length > 0);
        let repeated = 0;
        for (const line of lines) {
          const p = parseEkLine(line);
          assert.equal(peekFrameNumber(line), Number(p.values[p.keys.indexOf('frame_frame_number')]));
          // Every key JSON.parse sees is there; a key occurring once has JSON.parse's value.
          const reference = JSON.parse(line) as { timestamp: string; layers: Record<string, Record<string, unknown>> };
          assert.equal(p.timestamp, reference.timestamp);
          const counts = new Map<string, number>();
          for (const k of p.keys) counts.set(k, (counts.get(k) ?? 0) + 1);
          for (const [layer, layerValue] of Object.entries(reference.layers)) {
            // A layer that occurs several times in the frame (TLS records) is an array of objects.
            for (const fields of [layerValue].flat() as unknown[]) {
            if (fields === null || typeof fields !== 'object') continue;
            for (const [k, v] of Object.entries(fields)) {
              if (v !== null && typeof v === 'object' && !(Array.isArray(v) && v.every((x) => x === null || typeof x !== 'object'))) continue; // nested: flattened
              assert.ok(counts.has(k), `${layer}.${k} missing`);
              if (counts.get(k) === 1) assert.deepEqual(p.values[p.keys.indexOf(k)], v, k);
              else repeated++;
              // As many occurrences as the raw text has.
              assert.equal(counts.get(k), line.split(`"${k}":`).length - 1, k);
            }
            }
          }
        }
        if (basename(file) === 'tcpdump__dns_udp.pcap') assert.ok(repeated > 0, 'eth_eth_addr repeats in every Ethernet frame');
      });
    }
  });
});
