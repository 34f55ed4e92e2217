/**
 * The external capture tools sluice runs as a child process (no native capture code in sluice's own
 * process): dumpcap (Wireshark's capture engine, shipped with tshark) is preferred, tcpdump is the
 * fallback. This file finds them and builds their command lines.
 */
import { accessSync, constants as fsConstants } from 'node:fs';
import { userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import { SluiceError } from '../../errors.js';

/** A supported capture tool. */
export type CaptureToolName = 'dumpcap' | 'tcpdump';

/** The Debian/Ubuntu package that provides each tool (named in the "not installed" message). */
export const CAPTURE_TOOL_PACKAGES: Readonly<Record<CaptureToolName, string>> = {
  dumpcap: 'wireshark-common (pulled in by tshark)',
  tcpdump: 'tcpdump',
};

/** A tool found on this machine. */
export interface CaptureTool {
  readonly name: CaptureToolName;
  /** Absolute path of the executable. */
  readonly path: string;
}

// tcpdump lives in /usr/sbin on older distributions, which is not on a normal user's PATH.
const EXTRA_DIRS = ['/usr/sbin', '/sbin', '/usr/local/sbin', '/usr/bin', '/usr/local/bin'];

/** The absolute path of an executable named `name` on PATH (or in the sbin folders), or undefined. */
export function whichExecutable(name: string, pathEnv = process.env.PATH ?? ''): string | undefined {
  const dirs = [...pathEnv.split(delimiter).filter((d) => d !== ''), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const p = join(dir, name);
    try {
      accessSync(p, fsConstants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Finds the capture tool: the one asked for, or ('auto') dumpcap and then tcpdump.
 * @throws SluiceError `SLUICE_CAPTURE_TOOL` naming the package to install.
 */
export function findCaptureTool(wanted: CaptureToolName | 'auto' = 'auto', pathEnv?: string): CaptureTool {
  const candidates: CaptureToolName[] = wanted === 'auto' ? ['dumpcap', 'tcpdump'] : [wanted];
  for (const name of candidates) {
    const path = whichExecutable(name, pathEnv);
    if (path !== undefined) return { name, path };
  }
  const hint = candidates.map((n) => `${n} (apt-get install ${n === 'dumpcap' ? 'tshark' : 'tcpdump'}; package ${CAPTURE_TOOL_PACKAGES[n]})`).join(' or ');
  throw new SluiceError(
    'SLUICE_CAPTURE_TOOL',
    `live capture needs ${hint}, and ${candidates.length > 1 ? 'neither is' : 'it is not'} installed or on PATH`,
  );
}

/** What the capture child is asked to do. */
export interface CaptureToolOptions {
  readonly interface: string;
  /** Capture filter (BPF syntax, as tcpdump(8)/pcap-filter(7)). */
  readonly bpf?: string;
  /** Stop after this many packets. */
  readonly count?: number;
  /** Bytes kept of each packet (default: the tool's, 262144). */
  readonly snaplenBytes?: number;
  /** Folder of the rolling files. */
  readonly dir: string;
  /** File name prefix (unique per run: a restart never writes over an earlier run's files). */
  readonly prefix: string;
  /** Start a new file after this many bytes (0: never). */
  readonly rotateBytes: number;
  /** Start a new file after this many seconds (0: never). */
  readonly rotateSecs: number;
}

/** A command line for the capture child. */
export interface CaptureCommand {
  readonly file: string;
  readonly args: string[];
}

/**
 * The command line that captures into rolling files in `options.dir`.
 *
 * - dumpcap: `-b filesize:<kB> -b duration:<s> -w <dir>/<prefix>.pcapng`; dumpcap names the files
 *   `<prefix>_<nnnnn>_<YYYYmmddHHMMSS>.pcapng` and prints `File: <path>` as it opens each one. Its
 *   `filesize` unit is kB (1000 bytes).
 * - tcpdump: `-G <s> -C <size> -w <dir>/<prefix>_%Y%m%d%H%M%S.pcap` (strftime names, required by -G).
 *   tcpdump rotates on the first packet after the interval, not on a timer. When run as root it
 *   drops to the `tcpdump` user before opening its output files (Debian builds it so), which cannot
 *   write into a root-owned folder: `-Z <current user>` keeps the user that owns the folder.
 */
export function captureCommand(tool: CaptureTool, o: CaptureToolOptions): CaptureCommand {
  const args: string[] = [];
  if (tool.name === 'dumpcap') {
    args.push('-i', o.interface);
    if (o.bpf !== undefined && o.bpf !== '') args.push('-f', o.bpf);
    if (o.snaplenBytes !== undefined) args.push('-s', String(o.snaplenBytes));
    if (o.count !== undefined) args.push('-c', String(o.count));
    if (o.rotateBytes > 0) args.push('-b', `filesize:${Math.max(1, Math.ceil(o.rotateBytes / 1000))}`);
    if (o.rotateSecs > 0) args.push('-b', `duration:${o.rotateSecs}`);
    // Without a ring buffer option dumpcap writes exactly the -w name.
    const rolling = o.rotateBytes > 0 || o.rotateSecs > 0;
    args.push('-w', join(o.dir, rolling ? `${o.prefix}.pcapng` : `${o.prefix}_00001.pcapng`));
    return { file: tool.path, args };
  }
  args.push('-i', o.interface);
  if (process.getuid?.() === 0) args.push('-Z', userInfo().username);
  if (o.snaplenBytes !== undefined) args.push('-s', String(o.snaplenBytes));
  if (o.count !== undefined) args.push('-c', String(o.count));
  if (o.rotateSecs > 0) args.push('-G', String(o.rotateSecs));
  // -C counts millions of bytes; the k suffix (KiB, tcpdump ≥ 4.99) serves sizes below 1 MB.
  if (o.rotateBytes > 0) args.push('-C', o.rotateBytes >= 1_000_000 ? String(Math.round(o.rotateBytes / 1_000_000)) : `${Math.max(1, Math.ceil(o.rotateBytes / 1024))}k`);
  // -G needs strftime conversions in the name; without it tcpdump appends 1, 2, … on -C rollovers.
  args.push('-w', join(o.dir, o.rotateSecs > 0 ? `${o.prefix}_%Y%m%d%H%M%S.pcap` : `${o.prefix}.pcap`));
  if (o.bpf !== undefined && o.bpf !== '') args.push(o.bpf);
  return { file: tool.path, args };
}

/** The command line that lists the interfaces the tool can capture on. */
export function listInterfacesCommand(tool: CaptureTool): CaptureCommand {
  // dumpcap -M: machine-readable (tab-separated: name, vendor description, friendly name, type, addresses, loopback/network).
  return { file: tool.path, args: tool.name === 'dumpcap' ? ['-D', '-M'] : ['-D'] };
}
