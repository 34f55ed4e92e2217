/** IANA protocol keywords (lower case) by protocol number; the number as text when not listed. */
const NAMES: string[] = Array.from({ length: 256 }, (_, i) => String(i));
NAMES[0] = 'hopopt';
NAMES[1] = 'icmp';
NAMES[2] = 'igmp';
NAMES[4] = 'ipv4';
NAMES[6] = 'tcp';
NAMES[17] = 'udp';
NAMES[41] = 'ipv6';
NAMES[43] = 'ipv6-route';
NAMES[44] = 'ipv6-frag';
NAMES[46] = 'rsvp';
NAMES[47] = 'gre';
NAMES[50] = 'esp';
NAMES[51] = 'ah';
NAMES[58] = 'ipv6-icmp';
NAMES[59] = 'ipv6-nonxt';
NAMES[60] = 'ipv6-opts';
NAMES[88] = 'eigrp';
NAMES[89] = 'ospfigp';
NAMES[103] = 'pim';
NAMES[112] = 'vrrp';
NAMES[115] = 'l2tp';
NAMES[132] = 'sctp';
NAMES[135] = 'mobility-header';
NAMES[136] = 'udplite';

/** ECS `network.transport` for an IP protocol number, e.g. 6 → 'tcp', 58 → 'ipv6-icmp', 250 → '250'. */
export function transportName(proto: number): string {
  return NAMES[proto & 0xff];
}
