/**
 * `sluice capture --list-interfaces`: the interfaces the capture tool can open, from `dumpcap -D -M`
 * or `tcpdump -D`.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { findCaptureTool, listInterfacesCommand, type CaptureToolName } from './capture-tool.js';
import { toolFailureError } from './tool-failure.js';

/** One interface as the capture tool describes it. */
export interface CaptureInterfaceInfo {
  /** 1-based position in the tool's list (tcpdump and dumpcap also accept it as `-i <n>`). */
  readonly index: number;
  /** The name to pass to `--interface`. */
  readonly name: string;
  /** Human description ("Loopback", "Pseudo-device that captures on all interfaces"), or ''. */
  readonly description: string;
  /** Addresses (dumpcap only). */
  readonly addresses: readonly string[];
  /** True for a loopback interface. */
  readonly loopback: boolean;
  /** Flags as tcpdump prints them (Up, Running, Loopback, …); dumpcap: []. */
  readonly flags: readonly string[];
}

/**
 * Parses `dumpcap -D -M`: one interface a line, `<n>. <name>` then tab-separated vendor
 * description, friendly name, interface type, comma-separated addresses, `loopback`|`network`
 * (dumpcap.c `print_machine_readable_interfaces`).
 */
export function parseDumpcapInterfaces(text: string): CaptureInterfaceInfo[] {
  const out: CaptureInterfaceInfo[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+)\. (.*)$/.exec(line.trimEnd());
    if (!m) continue;
    const cols = m[2].split('\t');
    out.push({
      index: Number(m[1]),
      name: cols[0],
      description: cols[2] || cols[1] || '',
      addresses: (cols[4] ?? '').split(',').filter((a) => a !== ''),
      loopback: cols[5] === 'loopback',
      flags: [],
    });
  }
  return out;
}

/** Parses `tcpdump -D`: `<n>.<name> [(<description>)] [<flag>, <flag>]`. */
export function parseTcpdumpInterfaces(text: string): CaptureInterfaceInfo[] {
  const out: CaptureInterfaceInfo[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+)\.(\S+)(?: \((.*?)\))?(?: \[(.*)\])?\s*$/.exec(line.trimEnd());
    if (!m) continue;
    const flags = (m[4] ?? '').split(',').map((f) => f.trim()).filter((f) => f !== '' && f !== 'none');
    out.push({ index: Number(m[1]), name: m[2], description: m[3] ?? '', addresses: [], loopback: flags.includes('Loopback'), flags });
  }
  return out;
}

/** Runs the tool's interface listing and parses it. */
export async function listCaptureInterfaces(tool: CaptureToolName | 'auto' = 'auto'): Promise<{ tool: CaptureToolName; interfaces: CaptureInterfaceInfo[] }> {
  const t = findCaptureTool(tool);
  const cmd = listInterfacesCommand(t);
  try {
    const { stdout } = await promisify(execFile)(cmd.file, cmd.args, { encoding: 'utf8', timeout: 30_000 });
    return { tool: t.name, interfaces: t.name === 'dumpcap' ? parseDumpcapInterfaces(stdout) : parseTcpdumpInterfaces(stdout) };
  } catch (err) {
    const e = err as { stderr?: string; code?: number | string; signal?: NodeJS.Signals };
    throw toolFailureError({
      tool: t.name,
      interface: '(listing)',
      messages: (e.stderr ?? String(err)).split('\n').filter((l) => l.trim() !== ''),
      exitCode: typeof e.code === 'number' ? e.code : null,
      signal: e.signal ?? null,
    });
  }
}
