/** Test helper: real `tshark -T ek` output of corpus captures and the registry of the installed tshark. */
import { join } from 'node:path';
import { CORPUS_DIR, hasTshark, tsharkLines } from '../../../test/support/tshark.js';
import { loadFieldRegistry, type FieldRegistry } from './field-registry.js';

/** Corpus captures with TCP, UDP/DNS, HTTP, TLS, IPv6, VLAN, fragments, 802.11, Linux cooked, damage. */
export const EK_CORPUS = [
  'tcpdump__dns_udp.pcap',
  'tcpdump__dns_tcp.pcap',
  'tcpdump__tcp-handshake-nano.pcap',
  'zeek__http-methods.pcap',
  'zeek__tls-chrome-34-google.pcap',
  'tcpdump__icmpv6.pcap',
  'zeek__http-vlan-0.pcap',
  'zeek__ipv4-fragmented-1.pcap',
  'zeek__wlanmon.pcap',
  'tcpdump__nflog.pcap',
  'zeek__dns-corrupt.pcap',
  'tcpdump__pptp.pcap',
].map((f) => join(CORPUS_DIR, 'pcap', f));

/** The document lines (no action lines) of `tshark -r file -T ek`, with the Community ID dissector on. */
export function ekDocumentLines(file: string): string[] {
  return tsharkLines(['-r', file, '-T', 'ek', '--enable-protocol', 'communityid']).filter((l) => l !== '' && !l.startsWith('{"index"'));
}

/** Frame count according to tshark. */
export function tsharkFrameCount(file: string): number {
  return tsharkLines(['-r', file, '-T', 'fields', '-e', 'frame.number']).length;
}

let registry: FieldRegistry | undefined;

/** The registry, loaded once per test process. */
export function testRegistry(): FieldRegistry {
  if (!hasTshark()) throw new Error('tshark is not installed');
  registry ??= loadFieldRegistry();
  return registry;
}
