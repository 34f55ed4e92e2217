import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { describe, it } from 'node:test';
import { decodePacket, isSupportedLinkType } from '../../decoders/decode-packet.js';
import { readClassicPcap } from '../../decoders/test-support/classic-pcap-records.js';
import { corpusFiles, haveTshark, tsharkFields } from '../../decoders/test-support/tshark-fields.js';
import { CommunityIdCache, communityId } from './community-id.js';
import { skipWithoutTshark } from '../../../test/support/tshark.js';

/**
 * Community ID against Wireshark's post-dissector on every classic pcap of the corpus that has IP
 * (IP defragmentation off, as in the decoder comparison: with it on, tshark does not dissect the
 * first fragment's UDP header and hashes that packet without ports, while the reference
 * implementation uses the ports). Only classic pcap files whose link type sluice decodes are read
 * here (a small record walker); every capture, pcapng included, is compared end to end through
 * the real reader in test/integration/tshark/ingest-vs-tshark.test.ts.
 */
const skip = skipWithoutTshark() || (corpusFiles().length === 0 ? 'corpus missing' : false);
const files = skip || !haveTshark() ? [] : corpusFiles().filter((f) => {
  const pcap = readClassicPcap(f);
  return pcap !== undefined && isSupportedLinkType(pcap.linkType);
});

describe('Community ID agrees with tshark on the corpus', { skip }, () => {
  for (const file of files) {
    const pcap = readClassicPcap(file)!;
    it(basename(file), () => {
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
