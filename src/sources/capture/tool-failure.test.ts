// Classification of the tools' failures, on stderr recorded from dumpcap 4.0.17 and tcpdump 4.99.3
// (permission samples: run as user nobody, without capabilities).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toolFailureError } from './tool-failure.js';
import type { CaptureToolName } from './capture-tool.js';

function classify(tool: CaptureToolName, stderr: string, bpf?: string) {
  return toolFailureError({ tool, interface: tool === 'dumpcap' || !stderr.includes('nosuch0') ? 'lo' : 'nosuch0', bpf, messages: stderr.split('\n').filter((l) => l !== ''), exitCode: 1 });
}

test('unknown interface: SLUICE_CAPTURE_INTERFACE, pointing at --list-interfaces', () => {
  for (const [tool, text] of [
    ['dumpcap', 'dumpcap: There is no device named "nosuch0".\n(No such device exists)'],
    ['tcpdump', 'tcpdump: nosuch0: No such device exists\n(No such device exists)'],
  ] as const) {
    const e = classify(tool, text);
    assert.equal(e.code, 'SLUICE_CAPTURE_INTERFACE', tool);
    assert.match(e.message, /--list-interfaces/);
  }
});

test("invalid filter: SLUICE_CAPTURE_FILTER with the tool's reason", () => {
  const d = classify('dumpcap', 'dumpcap: Invalid capture filter "udp port 99999" for interface \'lo\'.\n\nThat string isn\'t a valid capture filter (illegal port number 99999 > 65535).\nSee the User\'s Guide for a description of the capture filter syntax.', 'udp port 99999');
  assert.equal(d.code, 'SLUICE_CAPTURE_FILTER');
  assert.match(d.message, /illegal port number 99999 > 65535/);
  const t = classify('tcpdump', "tcpdump: can't parse filter expression: syntax error", 'udp prot 5');
  assert.equal(t.code, 'SLUICE_CAPTURE_FILTER');
  assert.match(t.message, /"udp prot 5".*can't parse filter expression: syntax error/);
  assert.equal(classify('tcpdump', 'tcpdump: illegal port number 99999 > 65535', 'udp port 99999').code, 'SLUICE_CAPTURE_FILTER');
});

test('permission denied: SLUICE_CAPTURE_PERMISSION saying root or setcap', () => {
  const d = classify('dumpcap', 'dumpcap: You do not have permission to capture on device "lo".\n(socket: Operation not permitted)\nPlease check to make sure you have sufficient permissions.');
  const t = classify('tcpdump', "tcpdump: lo: You don't have permission to perform this capture on that device\n(socket: Operation not permitted)");
  for (const e of [d, t]) {
    assert.equal(e.code, 'SLUICE_CAPTURE_PERMISSION');
    assert.match(e.message, /root/);
    assert.match(e.message, /cap_net_raw,cap_net_admin/);
  }
});

test('anything else: SLUICE_CAPTURE_FAILED quoting the tool', () => {
  const e = toolFailureError({ tool: 'tcpdump', interface: 'eth0', messages: ['tcpdump: eth0: That device is not up'], exitCode: 1 });
  assert.equal(e.code, 'SLUICE_CAPTURE_FAILED');
  assert.match(e.message, /That device is not up/);
  assert.match(toolFailureError({ tool: 'dumpcap', interface: 'lo', messages: [], exitCode: null, signal: 'SIGKILL' }).message, /signal SIGKILL/);
});
