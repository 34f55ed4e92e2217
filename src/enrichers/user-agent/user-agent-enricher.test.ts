import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserAgentEnricher, isMissingUserAgent, type UserAgentDocument } from './user-agent-enricher.js';

const CHROME_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36';
const SAFARI_IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 7_0_4 like Mac OS X) AppleWebKit/537.51.1 (KHTML, like Gecko) Version/7.0 Mobile/11B554a Safari/9537.53';
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

describe('UserAgentEnricher', () => {
  it('fills ECS user_agent for a desktop browser, no bot tag', () => {
    const doc: UserAgentDocument = { user_agent: { original: CHROME_MAC }, tags: ['web'] };
    new UserAgentEnricher().enrich(doc);
    assert.deepEqual(doc, {
      user_agent: { original: CHROME_MAC, name: 'Chrome', version: '32.0.1700.77', os: { name: 'Mac OS', version: '10.9.1', full: 'Mac OS 10.9.1' }, device: { name: 'Apple Macintosh' } },
      tags: ['web'],
      sluice: { user_agent: { bot: false } },
    });
  });

  it('parses a mobile browser', () => {
    const doc: UserAgentDocument = { user_agent: { original: SAFARI_IPHONE } };
    new UserAgentEnricher().enrich(doc);
    assert.equal(doc.user_agent?.name, 'Mobile Safari');
    assert.equal(doc.user_agent?.os?.full, 'iOS 7.0.4');
    assert.equal(doc.user_agent?.device?.name, 'Apple iPhone');
    assert.equal(doc.tags, undefined);
  });

  it('flags crawlers, scanners and command-line clients as bots and names them from their product token', () => {
    const cases: [string, string, string | undefined][] = [
      [GOOGLEBOT, 'Googlebot', '2.1'],
      ['Mozilla/5.0 (compatible; MJ12bot/v1.4.4; http://www.majestic12.co.uk/bot.php?+)', 'MJ12bot', '1.4.4'],
      ['sqlmap/1.5.2#stable (http://sqlmap.org)', 'sqlmap', '1.5.2'],
      ['Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:Port Check)', 'Nikto', '2.1.6'],
      ['curl/7.68.0', 'curl', '7.68.0'],
      ['python-requests/2.31.0', 'python-requests', '2.31.0'],
    ];
    const ua = new UserAgentEnricher();
    for (const [original, name, version] of cases) {
      const doc: UserAgentDocument = { user_agent: { original } };
      ua.enrich(doc);
      assert.deepEqual(doc.tags, ['bot'], original);
      assert.equal(doc.sluice?.user_agent?.bot, true, original);
      assert.equal(doc.user_agent?.name, name, original);
      assert.equal(doc.user_agent?.version, version, original);
      assert.equal(doc.user_agent?.device?.name, 'Spider', original);
    }
  });

  it('flags a missing user agent (absent, empty, "-") and does not call it a bot', () => {
    const ua = new UserAgentEnricher();
    for (const doc of [{}, { user_agent: { original: '' } }, { user_agent: { original: '-' } }, { user_agent: { original: '  ' } }] as UserAgentDocument[]) {
      ua.enrich(doc);
      assert.deepEqual(doc.tags, ['missing_user_agent']);
      assert.deepEqual(doc.sluice, { user_agent: { missing: true } });
      assert.equal(doc.user_agent?.name, undefined);
    }
    assert.equal(isMissingUserAgent('-'), true);
    assert.equal(isMissingUserAgent('x'), false);
  });

  it('returns equal results from the cache and keeps documents independent of it', () => {
    const ua = new UserAgentEnricher({ cacheEntries: 2 });
    const a: UserAgentDocument = { user_agent: { original: CHROME_MAC } };
    const b: UserAgentDocument = { user_agent: { original: CHROME_MAC } };
    ua.enrich(a);
    a.user_agent!.os!.name = 'changed';
    ua.enrich(b);
    assert.equal(b.user_agent?.os?.name, 'Mac OS');
    assert.equal(ua.parse(CHROME_MAC), ua.parse(CHROME_MAC));
    const uncached = new UserAgentEnricher({ cacheEntries: 0 });
    assert.deepEqual(uncached.parse(CHROME_MAC), ua.parse(CHROME_MAC));
  });
});
