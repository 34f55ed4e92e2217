// The stderr parsers against output recorded from dumpcap 4.0.17 and tcpdump 4.99.3 (libpcap 1.10.3)
// on Debian 12, capturing on lo. The drop samples come from a 60 kB-datagram flood with a 1 MiB buffer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseToolOutput, ToolOutputParser, totalDrops } from './tool-output-parser.js';

// dumpcap -i lo -f 'udp port 47111' -b duration:1 -w /tmp/h1exp/r.pcapng -a duration:4.5 (stderr, byte for byte)
const DUMPCAP_RING =
  "Capturing on 'Loopback: lo'\nFile: /tmp/h1exp/r_00001_20261122023800.pcapng\n" +
  '\rPackets: 1 File: /tmp/h1exp/r_00002_20261122023801.pcapng\n' +
  '\rPackets: 2 \rPackets: 3 \rPackets: 5 File: /tmp/h1exp/r_00003_20261122023803.pcapng\n' +
  'File: /tmp/h1exp/r_00004_20261122023804.pcapng\n' +
  '\rPackets captured: 5\n' +
  "Packets received/dropped on interface 'Loopback: lo': 5/0 (pcap:0/dumpcap:0/flushed:0/ps_ifdrop:0) (100.0%)\n";

// dumpcap -i lo -B 1 … under a flood: the kernel dropped most packets.
const DUMPCAP_DROPS =
  "Capturing on 'Loopback: lo'\nFile: /tmp/h1exp/fl.pcapng\n\rPackets: 2990 \rPackets: 6045 \rPackets captured: 6045\n" +
  "Packets received/dropped on interface 'Loopback: lo': 6045/374710 (pcap:374710/dumpcap:0/flushed:0/ps_ifdrop:0) (1.6%)\n";

// tcpdump -i lo -w … 'udp port 47111', SIGINT at the end.
const TCPDUMP_PLAIN =
  'tcpdump: listening on lo, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n' +
  '7 packets captured\n14 packets received by filter\n0 packets dropped by kernel\n';

// tcpdump -G 1 -C 1 …: SIGUSR1 after 2 s (the one-line form), then SIGINT.
const TCPDUMP_USR1 =
  'tcpdump: listening on lo, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n' +
  'tcpdump: 1 packet captured, 4 packets received by filter, 0 packets dropped by kernel\n' +
  '6 packets captured\n12 packets received by filter\n0 packets dropped by kernel\n';

// tcpdump -B 1024 … under the same flood.
const TCPDUMP_DROPS =
  'tcpdump: listening on lo, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n' +
  '6983 packets captured\n386800 packets received by filter\n372834 packets dropped by kernel\n';

test('dumpcap: file switches (also after a running count on the same line), running count, final counters', () => {
  const r = parseToolOutput('dumpcap', DUMPCAP_RING);
  assert.equal(r.ready, true);
  assert.deepEqual(r.files, [1, 2, 3, 4].map((n) => `/tmp/h1exp/r_0000${n}_2026112202380${[0, 1, 3, 4][n - 1]}.pcapng`));
  assert.deepEqual(r.counters, { captured: 5, received: 5, droppedByKernel: 0, droppedByInterface: 0, droppedByTool: 0, final: true });
  assert.deepEqual(r.messages, []);
});

test('dumpcap: kernel drops are read from the pcap: counter', () => {
  const r = parseToolOutput('dumpcap', DUMPCAP_DROPS);
  assert.deepEqual(r.counters, { captured: 6045, received: 6045, droppedByKernel: 374710, droppedByInterface: 0, droppedByTool: 0, final: true });
  assert.equal(totalDrops(r.counters), 374710);
});

test('dumpcap: the running count is live before the end, and not final', () => {
  const p = new ToolOutputParser('dumpcap');
  p.push("Capturing on 'Loopback: lo'\nFile: /x/a_00001_1.pcapng\n\rPackets: 2 \rPackets: 3 ");
  assert.equal(p.counters.captured, 2); // "Packets: 3 " has no line end yet
  p.push('\rPackets: 4 ');
  assert.equal(p.counters.captured, 3);
  assert.equal(p.counters.final, false);
  p.end();
  assert.equal(p.counters.captured, 4);
});

test('dumpcap: a chunk boundary inside a line changes nothing', () => {
  const whole = parseToolOutput('dumpcap', DUMPCAP_RING);
  for (let cut = 1; cut < DUMPCAP_RING.length; cut += 7) {
    const p = new ToolOutputParser('dumpcap');
    const events = [...p.push(DUMPCAP_RING.slice(0, cut)), ...p.push(DUMPCAP_RING.slice(cut)), ...p.end()];
    assert.deepEqual(events.flatMap((e) => (e.type === 'file' ? [e.path] : [])), whole.files, `cut at ${cut}`);
    assert.deepEqual(p.counters, whole.counters, `cut at ${cut}`);
  }
});

test('dumpcap: error lines are kept as messages', () => {
  const r = parseToolOutput('dumpcap', 'Capturing on \'nosuch0\'\ndumpcap: There is no device named "nosuch0".\n(No such device exists)\n');
  assert.equal(r.ready, false);
  assert.deepEqual(r.messages, ['dumpcap: There is no device named "nosuch0".', '(No such device exists)']);
});

test('tcpdump: final counters, one a line', () => {
  const r = parseToolOutput('tcpdump', TCPDUMP_PLAIN);
  assert.equal(r.ready, true);
  assert.deepEqual(r.counters, { captured: 7, received: 14, droppedByKernel: 0, droppedByInterface: 0, droppedByTool: 0, final: true });
  assert.deepEqual(r.messages, []);
});

test('tcpdump: the SIGUSR1 line gives live counters, the exit lines the final ones', () => {
  const p = new ToolOutputParser('tcpdump');
  const lines = TCPDUMP_USR1.split('\n');
  p.push(lines.slice(0, 2).join('\n') + '\n');
  assert.deepEqual(p.counters, { captured: 1, received: 4, droppedByKernel: 0, droppedByInterface: 0, droppedByTool: 0, final: false });
  p.push(lines.slice(2).join('\n'));
  p.end();
  assert.deepEqual(p.counters, { captured: 6, received: 12, droppedByKernel: 0, droppedByInterface: 0, droppedByTool: 0, final: true });
});

test('tcpdump: kernel drops, and the interface drops line printed only when not zero', () => {
  assert.deepEqual(parseToolOutput('tcpdump', TCPDUMP_DROPS).counters, {
    captured: 6983, received: 386800, droppedByKernel: 372834, droppedByInterface: 0, droppedByTool: 0, final: true,
  });
  // tcpdump.c info(): ", %u packet%s dropped by interface" (one-line form) / a fourth line at exit.
  const r = parseToolOutput('tcpdump', 'tcpdump: 1 packet captured, 1 packet received by filter, 0 packets dropped by kernel, 3 packets dropped by interface\n1 packet captured\n1 packet received by filter\n0 packets dropped by kernel\n3 packets dropped by interface\n');
  assert.equal(r.counters.droppedByInterface, 3);
  assert.equal(totalDrops(r.counters), 3);
});

test('tcpdump: error lines are kept as messages', () => {
  const r = parseToolOutput('tcpdump', "tcpdump: can't parse filter expression: syntax error\n");
  assert.equal(r.ready, false);
  assert.deepEqual(r.messages, ["tcpdump: can't parse filter expression: syntax error"]);
});
