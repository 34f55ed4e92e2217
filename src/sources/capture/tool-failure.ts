/**
 * Turns a capture tool's failure (its stderr and exit code) into a {@link SluiceError} that says
 * what to do. The tool's own words are kept (an invalid filter's reason is the tool's compiler message).
 */
import { SluiceError } from '../../errors.js';
import type { CaptureToolName } from './capture-tool.js';

/** What failed and how. */
export interface ToolFailure {
  readonly tool: CaptureToolName;
  readonly interface: string;
  readonly bpf?: string;
  /** The tool's non-progress stderr lines. */
  readonly messages: readonly string[];
  readonly exitCode: number | null;
  readonly signal?: NodeJS.Signals | null;
}

/** The error for a capture tool that exited before or while capturing. */
export function toolFailureError(f: ToolFailure): SluiceError {
  const text = f.messages.join('\n');
  const firstLine = (f.messages.find((l) => l.trim() !== '') ?? '').replace(/^(dumpcap|tcpdump): /, '');
  const said = firstLine === '' ? `exited with ${f.signal ? `signal ${f.signal}` : `code ${f.exitCode}`}` : `said: ${firstLine}`;

  if (/permission|Operation not permitted|not permitted/i.test(text)) {
    return new SluiceError(
      'SLUICE_CAPTURE_PERMISSION',
      `${f.tool} may not capture on '${f.interface}' (${said}). Run sluice as root, or give the tool the capture capabilities: ` +
        `sudo setcap cap_net_raw,cap_net_admin=eip $(command -v ${f.tool})` +
        (f.tool === 'dumpcap' ? ' (on Debian/Ubuntu: sudo dpkg-reconfigure wireshark-common, then add yourself to the wireshark group)' : ''),
    );
  }
  if (/no (such )?device|There is no device named|No such device exists|doesn't exist|no suitable device/i.test(text)) {
    return new SluiceError(
      'SLUICE_CAPTURE_INTERFACE',
      `there is no interface '${f.interface}' to capture on (${f.tool} ${said}). List the interfaces with: sluice capture --list-interfaces`,
    );
  }
  // dumpcap: Invalid capture filter "…" for interface 'lo'. + a blank line + "That string isn't a valid capture filter (<reason>)."
  const dumpcapReason = /That string isn't a valid capture filter \((.*)\)\.?/.exec(text);
  if (/Invalid capture filter/.test(text) || dumpcapReason) {
    return new SluiceError('SLUICE_CAPTURE_FILTER', `the capture filter ${JSON.stringify(f.bpf ?? '')} is not valid BPF: ${dumpcapReason?.[1] ?? firstLine}. See pcap-filter(7) for the syntax.`);
  }
  // tcpdump prints the filter compiler's message alone: "tcpdump: can't parse filter expression: syntax error",
  // "tcpdump: illegal port number 99999 > 65535", "tcpdump: unknown host 'x'", …
  if (f.tool === 'tcpdump' && f.bpf !== undefined && f.bpf !== '' && /filter|syntax error|illegal|unknown (host|port|protocol|network)|expression/i.test(text)) {
    return new SluiceError('SLUICE_CAPTURE_FILTER', `the capture filter ${JSON.stringify(f.bpf)} is not valid BPF: ${firstLine}. See pcap-filter(7) for the syntax.`);
  }
  return new SluiceError('SLUICE_CAPTURE_FAILED', `${f.tool} stopped capturing on '${f.interface}': ${said}${f.messages.length > 1 ? `\n${text}` : ''}`);
}
