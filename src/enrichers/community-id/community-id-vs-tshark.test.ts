import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { describe, it } from 'node:test';
import { decodePacket, isSupportedLinkType } from '../../decoders/decode-packet.js';
import { readClassicPcap } from '../../decoders/test-support/classic-pcap-records.js';
import { corpusFiles, haveTshark, tsharkFields } from '../../decoders/test-support/tshark-fields.js';
import { CommunityIdCache, communityId } from './community-id.js';

/**
 * Community ID against Wireshark's post-dissector on every classic pcap of the corpus that has IP
 * (IP defragmentation off, as in the decoder comparison: with it on, tshark does not dissect the
 * first fragment's UDP header and hashes that packet without ports, while the reference
 * implementation uses the ports). Link types sluice does not decode (802.11) are skipped.
 */
const tshark = haveTshark();
const files = corpusFiles();
if (!tshark) console.warn('\n*** SKIPPING community-id-vs-tshark: tshark not found on PATH ***\n');

describe('Community ID agrees with tshark on the corpus', { skip: !tshark || files.length === 0 ? 'tshark or corpus missing' : false }, () => {
  for (const file of files) {
    const pcap = readClassicPcap(file);
    const skip = pcap === undefined ? 'not classic pcap' : !isSupportedLinkType(pcap.linkType) ? 'link type not decoded by sluice' : false;
    it(basename(file), { skip }, () => {
      if (pcap === undefined) return;
      const expected = tsharkFields(file, ['communityid']);
      const cache = new CommunityIdCache();
      const problems: string[] = [];
      for (const rec of pcap.records) {
        const d = decodePacket(pcap.linkType, rec.data, rec.origLen);
        const theirs = expected.get(rec.frame)?.[0][0] ?? '';
        const mine = communityId(d, rec.data) ?? '';
        if (theirs !== mine) problems.push(`frame ${rec.frame}: tshark ${theirs} sluice ${mine}`);
        if ((cache.get(d, rec.data) ?? '') !== mine) problems.push(`frame ${rec.frame}: cache differs`);
      }
      assert.deepEqual(problems, []);
    });
  }
});
