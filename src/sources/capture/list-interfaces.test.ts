// Interface lists recorded from `dumpcap -D -M` (4.0.17) and `tcpdump -D` (4.99.3) on Debian 12.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDumpcapInterfaces, parseTcpdumpInterfaces } from './list-interfaces.js';

const DUMPCAP = [
  '1. eth0\t\t\t0\t192.0.2.2,fd00::2,fe80::fc:ff:fe00:1\tnetwork\t',
  '2. any\t\t\t0\t\tnetwork\t',
  '3. lo\t\tLoopback\t0\t127.0.0.1,::1\tloopback\t',
  '6. bluetooth-monitor\t\t\t4\t\tnetwork\t',
  '',
].join('\n');

const TCPDUMP = [
  '1.eth0 [Up, Running, Connected]',
  '2.any (Pseudo-device that captures on all interfaces) [Up, Running]',
  '3.lo [Up, Running, Loopback]',
  '4.ifb0 [none]',
  '7.nflog (Linux netfilter log (NFLOG) interface) [none]',
  '',
].join('\n');

test('dumpcap -D -M: names, friendly names, addresses, loopback', () => {
  const list = parseDumpcapInterfaces(DUMPCAP);
  assert.deepEqual(list.map((i) => i.name), ['eth0', 'any', 'lo', 'bluetooth-monitor']);
  assert.deepEqual(list[2], { index: 3, name: 'lo', description: 'Loopback', addresses: ['127.0.0.1', '::1'], loopback: true, flags: [] });
  assert.deepEqual(list[0].addresses, ['192.0.2.2', 'fd00::2', 'fe80::fc:ff:fe00:1']);
  assert.equal(list[0].loopback, false);
});

test('tcpdump -D: names, descriptions (with parentheses inside), flags', () => {
  const list = parseTcpdumpInterfaces(TCPDUMP);
  assert.deepEqual(list.map((i) => i.name), ['eth0', 'any', 'lo', 'ifb0', 'nflog']);
  assert.deepEqual(list[2], { index: 3, name: 'lo', description: '', addresses: [], loopback: true, flags: ['Up', 'Running', 'Loopback'] });
  assert.equal(list[1].description, 'Pseudo-device that captures on all interfaces');
  assert.equal(list[4].description, 'Linux netfilter log (NFLOG) interface');
  assert.deepEqual(list[3].flags, []);
});
