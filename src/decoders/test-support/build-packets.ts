/** Hand-built packets for the decoder tests (no checksums: the decoders do not verify them). */

export function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}

export function ipv4Bytes(a: string): Buffer {
  return Buffer.from(a.split('.').map(Number));
}

export function ipv6Bytes(a: string): Buffer {
  const [head, tail] = a.includes('::') ? a.split('::') : [a, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
  return b;
}

export function ethernet(payload: Buffer, etherType = 0x0800, vlans: { tpid: number; vid: number }[] = []): Buffer {
  const head = hex('001b213a4f5c 0a0b0c0d0e0f');
  const tags = vlans.map(({ tpid, vid }) => {
    const t = Buffer.alloc(4);
    t.writeUInt16BE(tpid, 0);
    t.writeUInt16BE(vid, 2);
    return t;
  });
  const type = Buffer.alloc(2);
  type.writeUInt16BE(etherType);
  return Buffer.concat([head, ...tags, type, payload]);
}

export function ipv4(payload: Buffer, opts: { proto?: number; src?: string; dst?: string; flags?: number; fragOffset?: number; options?: Buffer; totalLength?: number } = {}): Buffer {
  const options = opts.options ?? Buffer.alloc(0);
  const h = Buffer.alloc(20);
  h[0] = 0x40 | ((20 + options.length) >> 2);
  h.writeUInt16BE(opts.totalLength ?? 20 + options.length + payload.length, 2);
  h.writeUInt16BE(0x1234, 4);
  h.writeUInt16BE(((opts.flags ?? 0) << 13) | ((opts.fragOffset ?? 0) >> 3), 6);
  h[8] = 64;
  h[9] = opts.proto ?? 6;
  ipv4Bytes(opts.src ?? '1.2.3.4').copy(h, 12);
  ipv4Bytes(opts.dst ?? '5.6.7.8').copy(h, 16);
  return Buffer.concat([h, options, payload]);
}

export function ipv6(payload: Buffer, opts: { next?: number; src?: string; dst?: string } = {}): Buffer {
  const h = Buffer.alloc(40);
  h[0] = 0x60;
  h.writeUInt16BE(payload.length, 4);
  h[6] = opts.next ?? 6;
  h[7] = 255;
  ipv6Bytes(opts.src ?? '2001:db8::1').copy(h, 8);
  ipv6Bytes(opts.dst ?? '2001:db8::2').copy(h, 24);
  return Buffer.concat([h, payload]);
}

export function tcp(payload: Buffer, opts: { sport?: number; dport?: number; flags?: number; seq?: number; ack?: number; options?: Buffer } = {}): Buffer {
  const options = opts.options ?? Buffer.alloc(0);
  const h = Buffer.alloc(20);
  h.writeUInt16BE(opts.sport ?? 1122, 0);
  h.writeUInt16BE(opts.dport ?? 3344, 2);
  h.writeUInt32BE(opts.seq ?? 0xfffffff0, 4);
  h.writeUInt32BE(opts.ack ?? 0x80000001, 8);
  const flags = opts.flags ?? 0x18;
  h[12] = (((20 + options.length) >> 2) << 4) | ((flags >> 8) & 1);
  h[13] = flags & 0xff;
  h.writeUInt16BE(65535, 14);
  return Buffer.concat([h, options, payload]);
}

export function udp(payload: Buffer, opts: { sport?: number; dport?: number; length?: number } = {}): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(opts.sport ?? 54585, 0);
  h.writeUInt16BE(opts.dport ?? 53, 2);
  h.writeUInt16BE(opts.length ?? 8 + payload.length, 4);
  return Buffer.concat([h, payload]);
}

/** A DNS query for `name` (type A unless given), id 0xbeef, RD set. */
export function dnsQuery(name: string, type = 1): Buffer {
  const labels = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')]));
  const q = Buffer.concat([...labels, Buffer.from([0]), Buffer.from([type >> 8, type & 0xff, 0, 1])]);
  return Buffer.concat([hex('beef 0100 0001 0000 0000 0000'), q]);
}
