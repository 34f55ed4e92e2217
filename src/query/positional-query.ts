/**
 * The original packet archiver's positional form: `sluice pcap 192.168.99.100 8.8.8.8 34555 53`
 * or `sluice pcap 192.168.99.100 ipv4`. Arguments that are all addresses, ports or protocol
 * keywords are turned into the equivalent KQL; anything else is KQL already.
 */
import { isIP } from 'node:net';

const KEYWORDS: Record<string, string> = {
  ipv4: 'network.type: ipv4',
  ipv6: 'network.type: ipv6',
  tcp: 'network.transport: tcp',
  udp: 'network.transport: udp',
  icmp: 'network.transport: icmp',
};

/**
 * The KQL for `args`: the positional form when every argument is an IP address, a port number or
 * one of ipv4/ipv6/tcp/udp/icmp (and at least one is an address or a port), else the arguments
 * joined by spaces. Two addresses (and two ports) select the conversation in both directions.
 */
export function queryFromArgs(args: readonly string[]): string {
  if (args.length === 0) return '';
  const ips: string[] = [];
  const ports: string[] = [];
  const words: string[] = [];
  for (const a of args) {
    if (isIP(a) !== 0) ips.push(a);
    else if (/^\d{1,5}$/.test(a) && Number(a) <= 65535) ports.push(a);
    else if (KEYWORDS[a.toLowerCase()] !== undefined) words.push(KEYWORDS[a.toLowerCase()]);
    else return args.join(' ');
  }
  if (ips.length === 0 && ports.length === 0) return args.join(' ');
  if (ips.length > 2 || ports.length > 2) return args.join(' ');
  const q = (v: string) => JSON.stringify(v);
  const parts: string[] = [];
  if (ips.length === 2) {
    // A conversation: A→B (ports in the order given) or B→A (ports swapped).
    const [a, b] = ips;
    const fwd = [`source.ip: ${q(a)}`, `destination.ip: ${q(b)}`];
    const rev = [`source.ip: ${q(b)}`, `destination.ip: ${q(a)}`];
    if (ports.length >= 1) {
      fwd.push(`source.port: ${ports[0]}`);
      rev.push(`destination.port: ${ports[0]}`);
    }
    if (ports.length === 2) {
      fwd.push(`destination.port: ${ports[1]}`);
      rev.push(`source.port: ${ports[1]}`);
    }
    parts.push(`((${fwd.join(' and ')}) or (${rev.join(' and ')}))`);
  } else {
    if (ips.length === 1) parts.push(`ip: ${q(ips[0])}`);
    for (const p of ports) parts.push(`port: ${p}`);
  }
  parts.push(...words);
  return parts.join(' and ');
}
