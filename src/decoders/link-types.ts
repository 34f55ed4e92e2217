/** Names of the link types sluice knows, by LINKTYPE_* value. */
const NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'null'],
  [1, 'ethernet'],
  [12, 'raw'],
  [14, 'raw'],
  [101, 'raw'],
  [105, 'ieee802_11'],
  [108, 'loop'],
  [113, 'linux_sll'],
  [127, 'ieee802_11_radiotap'],
  [228, 'raw'],
  [229, 'raw'],
  [231, 'dbus'],
  [239, 'nflog'],
  [276, 'linux_sll2'],
]);

/** Link types whose network layer `decodePacket` decodes. */
const SUPPORTED: ReadonlySet<number> = new Set([0, 1, 12, 14, 101, 108, 113, 228, 229, 239, 276]);

/** Lower-case name of a LINKTYPE_* value ('ethernet', 'linux_sll', …, or 'linktype_<n>'). */
export function linkTypeName(linkType: number): string {
  return NAMES.get(linkType) ?? 'linktype_' + linkType;
}

/** True when `decodePacket` decodes the network layer of this link type. */
export function isSupportedLinkType(linkType: number): boolean {
  return SUPPORTED.has(linkType);
}
