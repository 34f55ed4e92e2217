import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** What the GeoIP enricher needs to know about an `.mmdb` file before deciding to load it. */
export interface MmdbLayout {
  /** 4 or 6 (`ip_version` of the metadata). */
  readonly ipVersion: number;
  /** True when an IPv4 lookup can find something: always for an IPv4 database; for an IPv6 one, when the `::/96` subtree is not empty. */
  readonly answersIpv4: boolean;
}

/** The metadata section starts after this marker, within the last 128 KiB of the file (MaxMind DB format spec, "Database Metadata"). */
const METADATA_MARKER = Buffer.from('abcdef4d61784d696e642e636f6d', 'hex');
const METADATA_MAX_BYTES = 128 * 1024;

/**
 * Reads the metadata of a MaxMind DB file and walks the 96 nodes of its IPv4 subtree, with a few
 * small reads instead of loading the whole file (https://maxmind.github.io/MaxMind-DB/). Lets the
 * enricher keep an IPv6 database that holds no IPv4 data (as `@ip-location-db` splits them) off
 * the heap until the first IPv6 address. Throws when the file cannot be read or is not this format.
 */
export function readMmdbLayout(path: string): MmdbLayout {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const tailBytes = Math.min(size, METADATA_MAX_BYTES);
    const tail = Buffer.alloc(tailBytes);
    readSync(fd, tail, 0, tailBytes, size - tailBytes);
    const at = tail.lastIndexOf(METADATA_MARKER);
    if (at === -1) throw new Error('no MaxMind DB metadata marker');
    const meta = new MetadataReader(tail, at + METADATA_MARKER.length).map();
    const ipVersion = meta.get('ip_version');
    const nodeCount = meta.get('node_count');
    const recordSize = meta.get('record_size');
    if ((ipVersion !== 4 && ipVersion !== 6) || typeof nodeCount !== 'number' || (recordSize !== 24 && recordSize !== 28 && recordSize !== 32)) {
      throw new Error('incomplete MaxMind DB metadata');
    }
    if (ipVersion === 4) return { ipVersion, answersIpv4: true };
    // IPv4 addresses live under ::/96: follow the left (0) branch 96 times from the root.
    const nodeBytes = recordSize / 4;
    const node = Buffer.alloc(nodeBytes);
    let n = 0;
    for (let depth = 0; depth < 96 && n < nodeCount; depth++) {
      if (readSync(fd, node, 0, nodeBytes, n * nodeBytes) !== nodeBytes) throw new Error('truncated search tree');
      n = recordSize === 28 ? ((node[3] & 0xf0) << 20) + node.readUIntBE(0, 3) : node.readUIntBE(0, recordSize / 8);
    }
    // n === nodeCount: "no data" for the whole subtree.
    return { ipVersion, answersIpv4: n !== nodeCount };
  } finally {
    closeSync(fd);
  }
}

/** Decodes the metadata map: numbers and strings kept, other values skipped. */
class MetadataReader {
  constructor(
    private readonly buf: Buffer,
    private pos: number,
  ) {}

  map(): Map<string, unknown> {
    const { type, size } = this.control();
    if (type !== 7) throw new Error('MaxMind DB metadata is not a map');
    const out = new Map<string, unknown>();
    for (let i = 0; i < size; i++) {
      const key = this.value();
      const value = this.value();
      if (typeof key === 'string') out.set(key, value);
    }
    return out;
  }

  private control(): { type: number; size: number } {
    const c = this.byte();
    let type = c >> 5;
    if (type === 0) type = 7 + this.byte();
    let size = c & 0x1f;
    if (type === 1) throw new Error('pointer in MaxMind DB metadata');
    if (size === 29) size = 29 + this.byte();
    else if (size === 30) size = 285 + this.uint(2);
    else if (size === 31) size = 65821 + this.uint(3);
    return { type, size };
  }

  private value(): unknown {
    const { type, size } = this.control();
    switch (type) {
      case 2: // utf8 string
        return this.take(size).toString('utf8');
      case 5: // uint16
      case 6: // uint32
        return this.uint(size);
      case 7: // map: skip its pairs
        for (let i = 0; i < size * 2; i++) this.value();
        return undefined;
      case 11: // array
        for (let i = 0; i < size; i++) this.value();
        return undefined;
      case 14: // boolean: the value is the size, no payload
        return size !== 0;
      case 3: // double
        this.take(8);
        return undefined;
      case 15: // float
        this.take(4);
        return undefined;
      case 4: // bytes
      case 8: // int32
      case 9: // uint64
      case 10: // uint128
        this.take(size);
        return undefined;
      default:
        throw new Error(`unexpected type ${type} in MaxMind DB metadata`);
    }
  }

  private byte(): number {
    if (this.pos >= this.buf.length) throw new Error('truncated MaxMind DB metadata');
    return this.buf[this.pos++];
  }

  private uint(bytes: number): number {
    let v = 0;
    for (let i = 0; i < bytes; i++) v = v * 256 + this.byte();
    return v;
  }

  private take(bytes: number): Buffer {
    if (this.pos + bytes > this.buf.length) throw new Error('truncated MaxMind DB metadata');
    const b = this.buf.subarray(this.pos, this.pos + bytes);
    this.pos += bytes;
    return b;
  }
}
