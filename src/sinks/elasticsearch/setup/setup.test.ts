/** Unit tests of setup and retention: request bodies as literal JSON, name → day, durations, and the flows against a fake Elasticsearch. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineClient } from '../http/engine-client.js';
import { sendJson, startHttp, type SeenRequest } from '../http/test-support.js';
import type { EngineInfo } from '../http/engine-info.js';
import {
  apiKeyRequests, applyRetention, createApiKeys, dayIsOlderThan, indexDay, lifecyclePolicy, parseRetentionDuration, policyMatches, retentionPlan, runSetup, setupTemplate,
} from './index.js';

const ES: EngineInfo = {
  distribution: 'elasticsearch', version: { major: 8, minor: 15, patch: 0, text: '8.15.0' }, clusterName: 'c', buildFlavor: 'default',
  features: { lifecycle: 'ilm', dataStreams: true, composableTemplates: true, productHeader: true },
};
const OS: EngineInfo = {
  distribution: 'opensearch', version: { major: 2, minor: 19, patch: 1, text: '2.19.1' }, clusterName: 'c', buildFlavor: undefined,
  features: { lifecycle: 'ism', dataStreams: true, composableTemplates: true, productHeader: false },
};

describe('lifecyclePolicy', () => {
  test('ILM on Elasticsearch: hot → delete after N days', () => {
    const r = lifecyclePolicy(ES, { indexPattern: 'sluice-packets-%Y.%m.%d', deleteAfterDays: 45 });
    assert.equal(r.method, 'PUT');
    assert.equal(r.path, '/_ilm/policy/sluice-packets');
    assert.deepEqual(JSON.parse(JSON.stringify(r.body)), {
      policy: {
        phases: {
          hot: { min_age: '0ms', actions: {} },
          delete: { min_age: '45d', actions: { delete: {} } },
        },
      },
    });
  });

  test('ISM on OpenSearch: states hot → delete, ism_template, default 30 days', () => {
    const r = lifecyclePolicy(OS, { indexPattern: 'packets-%Y-%m-%d' });
    assert.equal(r.path, '/_plugins/_ism/policies/packets');
    assert.deepEqual(JSON.parse(JSON.stringify(r.body)), {
      policy: {
        description: 'sluice: delete packets-* indices 30 days after creation',
        default_state: 'hot',
        states: [
          { name: 'hot', actions: [], transitions: [{ state_name: 'delete', conditions: { min_index_age: '30d' } }] },
          { name: 'delete', actions: [{ delete: {} }], transitions: [] },
        ],
        ism_template: [{ index_patterns: ['packets-*'], priority: 100 }],
      },
    });
  });

  test('policyMatches ignores what the server adds, sees a changed age', () => {
    const r = lifecyclePolicy(OS, { indexPattern: 'sluice-packets-%Y.%m.%d', deleteAfterDays: 7 });
    const answer = {
      _id: 'sluice-packets', _seq_no: 3, _primary_term: 1,
      policy: {
        policy_id: 'sluice-packets', description: 'sluice: delete sluice-packets-* indices 7 days after creation', last_updated_time: 1, schema_version: 21, error_notification: null, default_state: 'hot',
        states: [
          { name: 'hot', actions: [], transitions: [{ state_name: 'delete', conditions: { min_index_age: '7d' } }] },
          { name: 'delete', actions: [{ retry: { count: 3, backoff: 'exponential', delay: '1m' }, delete: {} }], transitions: [] },
        ],
        ism_template: [{ index_patterns: ['sluice-packets-*'], priority: 100, last_updated_time: 1 }],
      },
    };
    assert.equal(policyMatches(r, answer), true);
    assert.equal(policyMatches(lifecyclePolicy(OS, { indexPattern: 'sluice-packets-%Y.%m.%d', deleteAfterDays: 8 }), answer), false);
    const ilm = lifecyclePolicy(ES, { indexPattern: 'sluice-packets-%Y.%m.%d', deleteAfterDays: 7 });
    const ilmAnswer = { 'sluice-packets': { version: 2, policy: { phases: { hot: { min_age: '0ms', actions: {} }, delete: { min_age: '7d', actions: { delete: { delete_searchable_snapshot: true } } } } } } };
    assert.equal(policyMatches(ilm, ilmAnswer), true);
    assert.equal(policyMatches(lifecyclePolicy(ES, { indexPattern: 'sluice-packets-%Y.%m.%d', deleteAfterDays: 9 }), ilmAnswer), false);
  });

  test('the Elasticsearch template names the ILM policy; the OpenSearch one does not', () => {
    assert.equal(setupTemplate(ES, { indexPattern: 'sluice-packets-%Y.%m.%d' }).body.template.settings['index.lifecycle.name'], 'sluice-packets');
    assert.equal(setupTemplate(OS, { indexPattern: 'sluice-packets-%Y.%m.%d' }).body.template.settings['index.lifecycle.name'], undefined);
    assert.notEqual(setupTemplate(ES, { indexPattern: 'a-%Y.%m.%d' }).fingerprint, setupTemplate(OS, { indexPattern: 'a-%Y.%m.%d' }).fingerprint);
  });
});

describe('apiKeyRequests', () => {
  test('publish: create_doc, create_index, auto_configure; read: read, view_index_metadata; cluster: GET / only', () => {
    assert.deepEqual(apiKeyRequests({ indexPattern: 'sluice-packets-%Y.%m.%d' }), {
      publish: {
        name: 'sluice-publish',
        role_descriptors: {
          sluice_publish: {
            cluster: ['cluster:monitor/main'],
            indices: [{ names: ['sluice-packets-*'], privileges: ['create_doc', 'create_index', 'auto_configure'] }],
          },
        },
      },
      read: {
        name: 'sluice-read',
        role_descriptors: {
          sluice_read: {
            cluster: ['cluster:monitor/main'],
            indices: [{ names: ['sluice-packets-*'], privileges: ['read', 'view_index_metadata'] }],
          },
        },
      },
    });
  });

  test('custom name and pattern; no auto_configure before Elasticsearch 7.9', () => {
    const r = apiKeyRequests({ indexPattern: 'packets-%Y-%m-%d', name: 'edge1', autoConfigure: false });
    assert.deepEqual(r.publish, {
      name: 'edge1-publish',
      role_descriptors: { sluice_publish: { cluster: ['cluster:monitor/main'], indices: [{ names: ['packets-*'], privileges: ['create_doc', 'create_index'] }] } },
    });
    assert.equal((r.read as { name: string }).name, 'edge1-read');
  });

  test('createApiKeys: posts both, computes encoded when absent; refuses OpenSearch', async () => {
    let n = 0;
    const srv = await startHttp((req, res) => {
      n++;
      const body = JSON.parse(req.body.toString()) as { name: string };
      if (n === 1) sendJson(res, 200, { id: 'id1', name: body.name, api_key: 'secret1', encoded: 'ZW5jMQ==' });
      else sendJson(res, 200, { id: 'id2', name: body.name, api_key: 'secret2' });
    });
    const client = new EngineClient({ urls: [srv.url], gzip: false });
    try {
      const keys = await createApiKeys(client, { indexPattern: 'sluice-packets-%Y.%m.%d', engine: ES });
      assert.deepEqual(keys.publish, { id: 'id1', name: 'sluice-publish', api_key: 'secret1', encoded: 'ZW5jMQ==' });
      assert.deepEqual(keys.read, { id: 'id2', name: 'sluice-read', api_key: 'secret2', encoded: Buffer.from('id2:secret2').toString('base64') });
      assert.deepEqual(srv.seen.map((s) => `${s.method} ${s.url}`), ['POST /_security/api_key', 'POST /_security/api_key']);
      await assert.rejects(createApiKeys(client, { indexPattern: 'x-%Y.%m.%d', engine: OS }), (e: any) => e.code === 'SLUICE_ENGINE_UNSUPPORTED' && /Elasticsearch feature/.test(e.message) && /internalusers/.test(e.message));
      assert.equal(srv.seen.length, 2);
    } finally {
      await client.close();
      await srv.close();
    }
  });

  test('createApiKeys: a server without the API (no handler) is a clear SLUICE_ENGINE_UNSUPPORTED', async () => {
    const srv = await startHttp((_req, res) => sendJson(res, 400, { error: 'no handler found for uri [/_security/api_key] and method [POST]' }));
    const client = new EngineClient({ urls: [srv.url], gzip: false });
    try {
      await assert.rejects(createApiKeys(client, { indexPattern: 'x-%Y.%m.%d' }), (e: any) => e.code === 'SLUICE_ENGINE_UNSUPPORTED' && /API keys are an Elasticsearch feature/.test(e.message));
    } finally {
      await client.close();
      await srv.close();
    }
  });
});

describe('indexDay', () => {
  test('sluice-packets-%Y.%m.%d', () => {
    const p = 'sluice-packets-%Y.%m.%d';
    assert.equal(indexDay(p, 'sluice-packets-2024.05.01'), '2024-05-01');
    assert.equal(indexDay(p, 'sluice-packets-2024.02.29'), '2024-02-29');
    for (const bad of ['sluice-packets-2023.02.29', 'sluice-packets-2024.13.01', 'sluice-packets-2024.05.1', 'sluice-packets-2024.05.01-x', 'x-sluice-packets-2024.05.01', 'sluice-packets-2024-05-01', 'sluice-packets-other', 'sluice-packetsX2024.05.01', 'sluice-packets-2024.05.01.restored']) {
      assert.equal(indexDay(p, bad), undefined, bad);
    }
  });

  test('packets-%Y-%m-%d and other orders and repeats', () => {
    assert.equal(indexDay('packets-%Y-%m-%d', 'packets-2023-12-31'), '2023-12-31');
    assert.equal(indexDay('packets-%Y-%m-%d', 'packets-2023.12.31'), undefined);
    assert.equal(indexDay('p+%d.%m.%Y', 'p+31.12.2023'), '2023-12-31');
    assert.equal(indexDay('p-%Y/%Y%m%d', 'p-2023/20231231'), '2023-12-31');
    assert.equal(indexDay('p-%Y/%Y%m%d', 'p-2023/20241231'), undefined);
    assert.equal(indexDay('monthly-%Y.%m', 'monthly-2023.12'), undefined);
    assert.equal(indexDay('fixed', 'fixed'), undefined);
  });

  test('dayIsOlderThan: whole UTC days, strictly older', () => {
    const now = Date.UTC(2024, 4, 31, 10, 0, 0); // 2024-05-31T10:00Z
    const d30 = 30 * 86_400_000;
    assert.equal(dayIsOlderThan('2024-04-30', d30, now), true);
    assert.equal(dayIsOlderThan('2024-05-01', d30, now), false);
    assert.equal(dayIsOlderThan('2024-05-30', 12 * 3_600_000, now), false); // ended 10 h ago
    assert.equal(dayIsOlderThan('2024-05-29', 12 * 3_600_000, now), true);
  });
});

describe('parseRetentionDuration', () => {
  test('h, d, w', () => {
    assert.equal(parseRetentionDuration('30d'), 30 * 86_400_000);
    assert.equal(parseRetentionDuration('12h'), 12 * 3_600_000);
    assert.equal(parseRetentionDuration('2w'), 14 * 86_400_000);
    assert.equal(parseRetentionDuration(' 7D '), 7 * 86_400_000);
  });
  test('anything else is SLUICE_USAGE', () => {
    for (const bad of ['30', '1m', '1y', '1.5d', '0d', '-1d', 'd', '', '30 days', '1s']) {
      assert.throws(() => parseRetentionDuration(bad), (e: any) => e.code === 'SLUICE_USAGE' && /h \(hours\), d \(days\) or w \(weeks\)/.test(e.message), bad);
    }
  });
});

describe('against a fake Elasticsearch', () => {
  test('runSetup creates, then reports unchanged, then updated', async () => {
    const store = new Map<string, unknown>();
    const srv = await startHttp((req: SeenRequest, res) => {
      const path = req.url.split('?')[0];
      if (req.method === 'PUT') {
        store.set(path, JSON.parse(req.body.toString()));
        return sendJson(res, 200, { acknowledged: true });
      }
      const v = store.get(path) as any;
      if (v === undefined) return sendJson(res, 404, { error: { type: 'resource_not_found_exception' } });
      if (path.startsWith('/_ilm/')) return sendJson(res, 200, { 'sluice-packets': { version: 1, policy: v.policy } });
      return sendJson(res, 200, { index_templates: [{ name: 'sluice-packets', index_template: v }] });
    });
    const client = new EngineClient({ urls: [srv.url], gzip: false });
    try {
      const opts = { indexPattern: 'sluice-packets-%Y.%m.%d', engine: ES };
      const first = await runSetup(client, opts);
      assert.equal(first.policy.action, 'created');
      assert.equal(first.template.action, 'created');
      assert.equal(first.template.lifecycleSetting, 'sluice-packets');
      const second = await runSetup(client, opts);
      assert.equal(second.policy.action, 'unchanged');
      assert.equal(second.template.action, 'unchanged');
      const third = await runSetup(client, { ...opts, deleteAfterDays: 90, refreshIntervalSecs: 10 });
      assert.equal(third.policy.action, 'updated');
      assert.equal(third.template.action, 'updated');
      assert.deepEqual((store.get('/_ilm/policy/sluice-packets') as any).policy.phases.delete, { min_age: '90d', actions: { delete: {} } });
    } finally {
      await client.close();
      await srv.close();
    }
  });

  test('runSetup on a fake OpenSearch with ISM: an update carries if_seq_no / if_primary_term', async () => {
    let stored: any;
    let seq = 0;
    const templates = new Map<string, unknown>();
    const srv = await startHttp((req: SeenRequest, res) => {
      const [path, qs = ''] = req.url.split('?');
      const q = new URLSearchParams(qs);
      if (path.startsWith('/_plugins/_ism/policies/')) {
        if (req.method === 'GET') return stored ? sendJson(res, 200, { _id: 'p', _seq_no: seq, _primary_term: 1, policy: { ...stored.policy, last_updated_time: 1, states: stored.policy.states.map((st: any) => ({ ...st, actions: st.actions.map((a: any) => ({ retry: { count: 3 }, ...a })) })) } }) : sendJson(res, 404, { error: { type: 'status_exception' } });
        if (stored && q.get('if_seq_no') !== String(seq)) return sendJson(res, 409, { error: { type: 'version_conflict_engine_exception' } });
        stored = JSON.parse(req.body.toString());
        seq++;
        return sendJson(res, stored && seq === 1 ? 201 : 200, { _id: 'p' });
      }
      if (req.method === 'PUT') {
        templates.set(path, JSON.parse(req.body.toString()));
        return sendJson(res, 200, { acknowledged: true });
      }
      const v = templates.get(path);
      return v ? sendJson(res, 200, { index_templates: [{ name: 'sluice-packets', index_template: v }] }) : sendJson(res, 404, {});
    });
    const client = new EngineClient({ urls: [srv.url], gzip: false });
    try {
      const opts = { indexPattern: 'sluice-packets-%Y.%m.%d', engine: OS };
      assert.equal((await runSetup(client, opts)).policy.action, 'created');
      assert.equal((await runSetup(client, opts)).policy.action, 'unchanged');
      assert.equal((await runSetup(client, { ...opts, deleteAfterDays: 60 })).policy.action, 'updated');
      const puts = srv.seen.filter((r) => r.method === 'PUT' && r.url.startsWith('/_plugins/'));
      assert.deepEqual(puts.map((r) => r.url), ['/_plugins/_ism/policies/sluice-packets', '/_plugins/_ism/policies/sluice-packets?if_seq_no=1&if_primary_term=1']);
      assert.equal(stored.policy.states[0].transitions[0].conditions.min_index_age, '60d');
    } finally {
      await client.close();
      await srv.close();
    }
  });

  test('retention: the plan selects only old daily indices; apply deletes exactly those', async () => {
    const rows = [
      { index: 'sluice-packets-2024.05.31', 'docs.count': '10', 'store.size': '1000' },
      { index: 'sluice-packets-2024.05.01', 'docs.count': '11', 'store.size': '1100' },
      { index: 'sluice-packets-2024.04.30', 'docs.count': '12', 'store.size': '1200' },
      { index: 'sluice-packets-2023.01.01', 'docs.count': null, 'store.size': null },
      { index: 'sluice-packets-other', 'docs.count': '1', 'store.size': '1' },
      { index: 'sluice-packets-2023.01.01-restored', 'docs.count': '1', 'store.size': '1' },
    ];
    const srv = await startHttp((req, res) => {
      if (req.method === 'GET') return sendJson(res, 200, rows);
      sendJson(res, req.url === '/sluice-packets-2023.01.01' ? 404 : 200, { acknowledged: true });
    });
    const client = new EngineClient({ urls: [srv.url], gzip: false });
    try {
      const plan = await retentionPlan(client, { indexPattern: 'sluice-packets-%Y.%m.%d', olderThanDays: 30, now: Date.UTC(2024, 4, 31, 10) });
      assert.equal(srv.seen[0].url, '/_cat/indices/sluice-packets-*?format=json&h=index%2Cdocs.count%2Cstore.size&bytes=b');
      assert.deepEqual(plan.indices, [
        { index: 'sluice-packets-2023.01.01', day: '2023-01-01', docs: null, bytes: null },
        { index: 'sluice-packets-2024.04.30', day: '2024-04-30', docs: 12, bytes: 1200 },
      ]);
      assert.deepEqual(plan.kept.map((k) => k.index), ['sluice-packets-2024.05.01', 'sluice-packets-2024.05.31']);
      assert.deepEqual(plan.ignored, ['sluice-packets-2023.01.01-restored', 'sluice-packets-other']);
      const result = await applyRetention(client, plan);
      assert.deepEqual(srv.seen.slice(1).map((s) => `${s.method} ${s.url}`), ['DELETE /sluice-packets-2023.01.01', 'DELETE /sluice-packets-2024.04.30']);
      assert.deepEqual(result.deleted.map((d) => d.index), ['sluice-packets-2024.04.30']);
      assert.deepEqual(result.missing.map((d) => d.index), ['sluice-packets-2023.01.01']);
      await assert.rejects(applyRetention(client, { ...plan, indices: [{ index: 'sluice-packets-other', day: '2020-01-01', docs: 0, bytes: 0 }] }), (e: any) => e.code === 'SLUICE_USAGE');
    } finally {
      await client.close();
      await srv.close();
    }
  });
});
