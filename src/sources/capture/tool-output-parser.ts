/**
 * Reads what dumpcap and tcpdump print on stderr while they capture: the file they switched to,
 * the running packet count, and the drop counters (live from tcpdump on SIGUSR1, final from both
 * at exit). The formats are the tools' human-readable ones (dumpcap.c `report_counts_for_pipe` /
 * `report_capture_count`, tcpdump.c `info()`); samples of real output are in the unit tests.
 *
 * Lines end with `\n` or, for dumpcap's running count, `\r`: both split lines here.
 */
import type { CaptureToolName } from './capture-tool.js';

/** Counters reported by the capture tool (cumulative since the capture started). */
export interface ToolCounters {
  /** Packets the tool wrote to its files. */
  captured: number;
  /**
   * Packets the kernel handed to the capture (dumpcap: "received"; tcpdump: "received by filter",
   * which on Linux counts packets before the filter's loopback de-duplication). Undefined until reported.
   */
  received: number | undefined;
  /** Dropped by the kernel because the capture buffer was full (dumpcap `pcap:`, tcpdump "dropped by kernel"). */
  droppedByKernel: number;
  /** Dropped by the network interface or its driver (dumpcap `ps_ifdrop:`, tcpdump "dropped by interface"). */
  droppedByInterface: number;
  /** Dropped by the tool itself (dumpcap's own `dumpcap:` and `flushed:` counters; always 0 for tcpdump). */
  droppedByTool: number;
  /** True once the tool printed its statistics at exit (the counters are final). */
  final: boolean;
}

/** What one stderr line meant. */
export type ToolOutputEvent =
  | { readonly type: 'ready' }
  | { readonly type: 'file'; readonly path: string }
  | { readonly type: 'counters'; readonly counters: Readonly<ToolCounters> }
  | { readonly type: 'message'; readonly line: string };

/** Empty counters. */
export function emptyCounters(): ToolCounters {
  return { captured: 0, received: undefined, droppedByKernel: 0, droppedByInterface: 0, droppedByTool: 0, final: false };
}

/** Total of the drop counters. */
export function totalDrops(c: Readonly<ToolCounters>): number {
  return c.droppedByKernel + c.droppedByInterface + c.droppedByTool;
}

// dumpcap: "Packets received/dropped on interface 'Loopback: lo': 5/0 (pcap:0/dumpcap:0/flushed:0/ps_ifdrop:0) (100.0%)"
const DUMPCAP_IF_STATS = /^Packets received\/dropped on interface '(.*)': (\d+)\/(\d+)(?: \(pcap:(\d+)\/dumpcap:(\d+)\/flushed:(\d+)(?:\/ps_ifdrop:(\d+))?\))?/;
// tcpdump on SIGUSR1: "tcpdump: 1 packet captured, 4 packets received by filter, 0 packets dropped by kernel[, 3 packets dropped by interface]"
const TCPDUMP_INFO = /^tcpdump: (\d+) packets? captured, (\d+) packets? received by filter, (\d+) packets? dropped by kernel(?:, (\d+) packets? dropped by interface)?/;
// tcpdump at exit, one counter a line: "6 packets captured", "12 packets received by filter", …
const TCPDUMP_FINAL = /^(\d+) packets? (captured|received by filter|dropped by kernel|dropped by interface)$/;

/** Incremental parser of a capture tool's stderr; feed it chunks as they arrive. */
export class ToolOutputParser {
  private rest = '';
  private readyReported = false;
  /** The counters so far. */
  readonly counters: ToolCounters = emptyCounters();
  /** Every line that was not progress or statistics (warnings and errors), in order. */
  readonly messages: string[] = [];

  constructor(readonly tool: CaptureToolName) {}

  /** Parses a chunk of stderr and returns what it reported. */
  push(chunk: string): ToolOutputEvent[] {
    const events: ToolOutputEvent[] = [];
    const text = this.rest + chunk;
    const parts = text.split(/\r\n|\r|\n/);
    this.rest = parts.pop() ?? '';
    for (const line of parts) this.line(line, events);
    return events;
  }

  /** Parses what is left (the tool exited). */
  end(): ToolOutputEvent[] {
    const events: ToolOutputEvent[] = [];
    if (this.rest !== '') this.line(this.rest, events);
    this.rest = '';
    return events;
  }

  private line(raw: string, events: ToolOutputEvent[]): void {
    const line = raw.trimEnd();
    if (line === '') return;
    if (this.tool === 'dumpcap') this.dumpcapLine(line, events);
    else this.tcpdumpLine(line, events);
  }

  private ready(events: ToolOutputEvent[]): void {
    if (this.readyReported) return;
    this.readyReported = true;
    events.push({ type: 'ready' });
  }

  private dumpcapLine(line: string, events: ToolOutputEvent[]): void {
    const c = this.counters;
    if (line.startsWith('File: ')) {
      // dumpcap prints the file name once the device is open and the filter compiled: it is capturing.
      this.ready(events);
      events.push({ type: 'file', path: line.slice(6) });
      return;
    }
    if (line.startsWith('Capturing on ')) return;
    let m = /^Packets: (\d+) ?(.*)$/.exec(line);
    if (m) {
      c.captured = Number(m[1]);
      events.push({ type: 'counters', counters: { ...c } });
      // The running count ends with a space, not a newline: the next message continues the line
      // ("Packets: 1 File: /dir/x_00002_….pcapng").
      if (m[2] !== '') this.dumpcapLine(m[2], events);
      return;
    }
    m = /^Packets captured: (\d+)/.exec(line);
    if (m) {
      c.captured = Number(m[1]);
      events.push({ type: 'counters', counters: { ...c } });
      return;
    }
    m = DUMPCAP_IF_STATS.exec(line);
    if (m) {
      // Several interfaces print one line each: they add up (counters are per interface).
      const firstStatsLine = !c.final;
      if (firstStatsLine) {
        c.received = 0;
        c.droppedByKernel = 0;
        c.droppedByTool = 0;
        c.droppedByInterface = 0;
      }
      c.received = (c.received ?? 0) + Number(m[2]);
      if (m[4] !== undefined) {
        c.droppedByKernel += Number(m[4]);
        c.droppedByTool += Number(m[5]) + Number(m[6]);
        c.droppedByInterface += Number(m[7] ?? 0);
      } else {
        // Older dumpcap: only the total.
        c.droppedByKernel += Number(m[3]);
      }
      c.final = true;
      events.push({ type: 'counters', counters: { ...c } });
      return;
    }
    this.messages.push(line);
    events.push({ type: 'message', line });
  }

  private tcpdumpLine(line: string, events: ToolOutputEvent[]): void {
    const c = this.counters;
    if (/^tcpdump: listening on /.test(line)) {
      this.ready(events);
      return;
    }
    let m = TCPDUMP_INFO.exec(line);
    if (m) {
      c.captured = Number(m[1]);
      c.received = Number(m[2]);
      c.droppedByKernel = Number(m[3]);
      c.droppedByInterface = Number(m[4] ?? 0);
      events.push({ type: 'counters', counters: { ...c } });
      return;
    }
    m = TCPDUMP_FINAL.exec(line);
    if (m) {
      const n = Number(m[1]);
      switch (m[2]) {
        case 'captured':
          c.captured = n;
          // "dropped by interface" is printed only when not zero: reset it with the first final line.
          c.droppedByInterface = 0;
          break;
        case 'received by filter':
          c.received = n;
          break;
        case 'dropped by kernel':
          c.droppedByKernel = n;
          c.final = true;
          break;
        case 'dropped by interface':
          c.droppedByInterface = n;
          break;
      }
      events.push({ type: 'counters', counters: { ...c } });
      return;
    }
    this.messages.push(line);
    events.push({ type: 'message', line });
  }
}

/** Parses a whole stderr text (tests, and the tool's output after it exited). */
export function parseToolOutput(tool: CaptureToolName, text: string): { counters: ToolCounters; messages: string[]; files: string[]; ready: boolean } {
  const p = new ToolOutputParser(tool);
  const events = [...p.push(text), ...p.end()];
  return {
    counters: p.counters,
    messages: p.messages,
    files: events.flatMap((e) => (e.type === 'file' ? [e.path] : [])),
    ready: events.some((e) => e.type === 'ready'),
  };
}
