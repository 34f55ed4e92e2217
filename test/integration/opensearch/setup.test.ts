/**
 * `sluice setup` and `sluice retention` against real OpenSearch nodes (2.x and, with a JDK 21+,
 * 3.x): setup is idempotent (created, then unchanged; a new age is an update through
 * if_seq_no/if_primary_term) and the ISM policy attaches to new indices; retention lists exactly
 * the daily indices older than the limit, deletes nothing in a dry run, deletes exactly those with
 * --apply, and never touches a name that is not a daily index of the pattern.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineClient } from '../../../src/sinks/elasticsearch/http/engine-client.js';
import { detectEngine } from '../../../src/sinks/elasticsearch/http/detect-engine.js';
import { applyRetention, createApiKeys, lifecyclePolicyName, retentionPlan, runSetup } from '../../../src/sinks/elasticsearch/setup/index.js';
import { dailyIndex } from '../../../src/sinks/elasticsearch/bulk-encoder.js';
import { configSchema, type SluiceConfig } from '../../../src/config/index.js';
import { runSetupCommand } from '../../../src/cli/commands/setup-command.js';
import { runRetention } from '../../../src/cli/commands/retention-command.js';
import { openSearchUrl, skipWithoutOpenSearch, type OpenSearchMajor } from '../../support/opensearch.js';
import { captureIO } from '../../support/temp.js';

const DAY = 86_400;

function esConfig(url: string, indexPattern: string): SluiceConfig['elasticsearch'] {
  return configSchema.parse({ elasticsearch: { urls: [url], index_pattern: indexPattern } }).elasticsearch;
}

async function exists(client: EngineClient, index: string): Promise<boolean> {
  return (await client.request({ method: 'HEAD', path: `/${index}` })).status === 200;
}

for (const major of [2, 3] as OpenSearchMajor[]) {
  const skip = skipWithoutOpenSearch(major);
  describe(`setup and retention on OpenSearch ${major}.x`, { skip }, () => {
    const url = openSearchUrl(major) ?? '';
    const client = skip ? (undefined as unknown as EngineClient) : new EngineClient({ urls: [url] });
    const setupPattern = `sluice-setup-${major}-${process.pid}-%Y.%m.%d`;
    const setupName = lifecyclePolicyName(setupPattern);
    const retPrefix = `sluice-ret-${major}-${process.pid}`;
    const retPattern = `${retPrefix}-%Y.%m.%d`;
    const now = Math.floor(Date.now() / 1000);
    const days = { today: 0, d10: 10, d40: 40, d400: 400 };
    const index = Object.fromEntries(Object.entries(days).map(([k, n]) => [k, dailyIndex(retPattern, now - n * DAY)])) as Record<keyof typeof days, string>;
    const other = `${retPrefix}-other`;

    after(async () => {
      if (skip) return;
      await client.request({ method: 'DELETE', path: `/${setupName}-*` });
      await client.request({ method: 'DELETE', path: `/${retPrefix}-*` });
      await client.request({ method: 'DELETE', path: `/_index_template/${setupName}` });
      await client.request({ method: 'DELETE', path: `/_plugins/_ism/policies/${setupName}` });
      await client.close();
    });

    /** Whether the node has the Index State Management plugin (the test nodes are the bare runner: usually not). */
    let hasIsm = false;

    test('setup twice: created, then unchanged; the ISM policy (when the plugin is there) and the template exist', async () => {
      const engine = await detectEngine(client);
      assert.equal(engine.features.lifecycle, 'ism');
      const probe = await client.request({ method: 'GET', path: '/_plugins/_ism/policies' });
      hasIsm = probe.status === 200;
      if (!hasIsm) console.error(`\n*** OpenSearch ${major}.x at ${url} has no Index State Management plugin: the ISM policy assertions are replaced by "skipped" ***\n`);
      const first = await runSetup(client, { indexPattern: setupPattern, deleteAfterDays: 14, engine });
      assert.equal(first.policy.kind, 'ism');
      assert.equal(first.policy.action, hasIsm ? 'created' : 'skipped');
      assert.equal(first.template.action, 'created');
      const second = await runSetup(client, { indexPattern: setupPattern, deleteAfterDays: 14 });
      assert.equal(second.policy.action, hasIsm ? 'unchanged' : 'skipped');
      assert.equal(second.template.action, 'unchanged');

      const t = await client.request({ method: 'GET', path: `/_index_template/${setupName}` });
      assert.equal(t.status, 200, t.text());
      const tpl = t.json<any>().index_templates[0].index_template;
      assert.deepEqual(tpl.index_patterns, [`${setupName}-*`]);
      assert.equal(tpl._meta.managed_by, 'sluice');
      assert.equal(tpl.template.settings.index.lifecycle, undefined, 'no ILM setting on OpenSearch');

      if (!hasIsm) return;
      const p = await client.request({ method: 'GET', path: `/_plugins/_ism/policies/${setupName}` });
      assert.equal(p.status, 200, p.text());
      const policy = p.json<any>().policy;
      assert.equal(policy.default_state, 'hot');
      assert.deepEqual(policy.states.map((s: any) => s.name), ['hot', 'delete']);
      assert.deepEqual(policy.states[0].transitions, [{ state_name: 'delete', conditions: { min_index_age: '14d' } }]);
      assert.ok(policy.states[1].actions.some((a: any) => a.delete !== undefined));
      assert.deepEqual(policy.ism_template.map((x: any) => [x.index_patterns, x.priority]), [[[`${setupName}-*`], 100]]);
    });

    test('changed options update (ISM through if_seq_no / if_primary_term), then are unchanged', async () => {
      const third = await runSetup(client, { indexPattern: setupPattern, deleteAfterDays: 21, refreshIntervalSecs: 7 });
      assert.equal(third.policy.action, hasIsm ? 'updated' : 'skipped');
      assert.equal(third.template.action, 'updated');
      const fourth = await runSetup(client, { indexPattern: setupPattern, deleteAfterDays: 21, refreshIntervalSecs: 7 });
      assert.equal(fourth.policy.action, hasIsm ? 'unchanged' : 'skipped');
      assert.equal(fourth.template.action, 'unchanged');
      if (!hasIsm) return;
      const policy = (await client.request({ method: 'GET', path: `/_plugins/_ism/policies/${setupName}` })).json<any>().policy;
      assert.equal(policy.states[0].transitions[0].conditions.min_index_age, '21d');
    });

    test('a new daily index gets the template (and attaches to the ISM policy)', async () => {
      const idx = dailyIndex(setupPattern, now);
      const c = await client.request({ method: 'PUT', path: `/${idx}` });
      assert.equal(c.status, 200, c.text());
      const settings = (await client.request({ method: 'GET', path: `/${idx}/_settings` })).json<any>()[idx].settings.index;
      assert.equal(settings.codec, 'best_compression');
      assert.equal(settings.refresh_interval, '7s');
      if (!hasIsm) return;
      let policyId: unknown;
      for (let i = 0; i < 60 && policyId !== setupName; i++) {
        const e = (await client.request({ method: 'GET', path: `/_plugins/_ism/explain/${idx}` })).json<any>();
        policyId = e[idx]?.['index.plugins.index_state_management.policy_id'] ?? e[idx]?.policy_id;
        if (policyId !== setupName) await new Promise((r) => setTimeout(r, 250));
      }
      assert.equal(policyId, setupName);
    });

    test('the setup command prints what it did; --api-keys is refused on OpenSearch before anything changes', async () => {
      const es = esConfig(url, setupPattern);
      const cap = captureIO();
      assert.equal(await runSetupCommand({ elasticsearch: es, apiKeys: false, deleteAfterDays: 21, output: 'table' }, cap.io), 0);
      assert.match(cap.out(), hasIsm ? new RegExp(`Lifecycle policy ${setupName} \\(ISM, /_plugins/_ism/policies/${setupName}\\): unchanged`) : /Lifecycle policy .*: skipped: .*Index State Management/);
      assert.match(cap.out(), /Index template .*: updated/); // refresh interval back to the default 5 s
      const json = captureIO();
      await runSetupCommand({ elasticsearch: es, apiKeys: false, deleteAfterDays: 21, output: 'json' }, json.io);
      assert.equal(JSON.parse(json.out()).template.action, 'unchanged');

      const before = (await client.request({ method: 'GET', path: `/_index_template/${setupName}` })).text();
      await assert.rejects(
        runSetupCommand({ elasticsearch: es, apiKeys: true, deleteAfterDays: 5, output: 'table' }, captureIO().io),
        (e: any) => e.code === 'SLUICE_ENGINE_UNSUPPORTED' && /API keys are an Elasticsearch feature/.test(e.message),
      );
      assert.equal((await client.request({ method: 'GET', path: `/_index_template/${setupName}` })).text(), before, 'nothing changed');
      // Without the engine info, the server's own answer (no handler) says so too.
      await assert.rejects(createApiKeys(client, { indexPattern: setupPattern }), (e: any) => e.code === 'SLUICE_ENGINE_UNSUPPORTED' && /Elasticsearch feature/.test(e.message));
    });

    test('retention: dry run lists exactly the old daily indices; --apply deletes exactly those', async () => {
      for (const name of [...Object.values(index), other]) {
        const r = await client.request({ method: 'PUT', path: `/${name}`, body: { settings: { number_of_shards: 1, number_of_replicas: 0 } } });
        assert.equal(r.status, 200, `${name}: ${r.text()}`);
      }
      const plan = await retentionPlan(client, { indexPattern: retPattern, olderThanDays: 30 });
      assert.deepEqual(plan.indices.map((i) => i.index), [index.d400, index.d40]);
      assert.deepEqual(plan.kept.map((i) => i.index), [index.d10, index.today]);
      assert.deepEqual(plan.ignored, [other]);
      assert.ok(plan.indices.every((i) => i.docs === 0 && typeof i.bytes === 'number'));

      const es = esConfig(url, retPattern);
      const dry = captureIO();
      assert.equal(await runRetention({ elasticsearch: es, olderThan: '30d', apply: false, output: 'table' }, dry.io), 0);
      assert.match(dry.out(), /Would delete 2 index\(es\) older than 30d \(dry run, nothing deleted\)/);
      assert.ok(dry.out().includes(index.d40) && dry.out().includes(index.d400));
      assert.ok(!dry.out().includes(index.d10));
      assert.match(dry.out(), /--apply/);
      for (const name of [...Object.values(index), other]) assert.equal(await exists(client, name), true, `${name} still there after the dry run`);

      const json = captureIO();
      await runRetention({ elasticsearch: es, olderThan: '6w', apply: false, output: 'json' }, json.io);
      assert.deepEqual(JSON.parse(json.out()).indices.map((i: any) => i.index), [index.d400]);

      const applied = captureIO();
      assert.equal(await runRetention({ elasticsearch: es, olderThan: '30d', apply: true, output: 'table' }, applied.io), 0);
      assert.match(applied.out(), /Deleted 2\./);
      assert.equal(await exists(client, index.d400), false);
      assert.equal(await exists(client, index.d40), false);
      assert.equal(await exists(client, index.d10), true);
      assert.equal(await exists(client, index.today), true);
      assert.equal(await exists(client, other), true, 'the unrelated index is never touched');

      const again = await retentionPlan(client, { indexPattern: retPattern, olderThanDays: 30 });
      assert.deepEqual(again.indices, []);
      assert.deepEqual((await applyRetention(client, again)).deleted, []);
      await assert.rejects(runRetention({ elasticsearch: es, olderThan: '30m', apply: true, output: 'table' }, captureIO().io), (e: any) => e.code === 'SLUICE_USAGE');
    });
  });
}
