/**
 * Installs the packet index template (idempotent: PUT replaces it with the same content). Used by
 * `sluice ingest --to elasticsearch` before the first document and, later, by `sluice setup`.
 */
import { SluiceError } from '../../errors.js';
import type { EngineClient } from './http/engine-client.js';
import { assertAuthorized } from './http/assert-authorized.js';
import { packetIndexTemplate, type PacketTemplateOptions } from './index-template.js';

/** PUTs the composable template; returns its name. */
export async function installPacketTemplate(client: EngineClient, options: PacketTemplateOptions = {}): Promise<string> {
  const { name, body } = packetIndexTemplate(options);
  const res = await client.request({ method: 'PUT', path: `/_index_template/${encodeURIComponent(name)}`, body });
  assertAuthorized(res, client.scrub);
  if (res.status >= 300) {
    const text = client.scrub(res.text());
    const reason = /"reason":"((?:[^"\\]|\\.)*)"/.exec(text)?.[1] ?? text.slice(0, 500);
    const clash = /existing templates \[([^\]]+)\]/.exec(reason)?.[1];
    const hint = clash === undefined ? '' : ` Another index template (${clash}) matches the same indices with the same priority: choose another --es-index / elasticsearch.index_pattern, or change or remove that template.`;
    throw new SluiceError('SLUICE_ENGINE_TEMPLATE', `installing the index template ${name} on ${res.node} failed: HTTP ${res.status}: ${reason}.${hint}`);
  }
  return name;
}

/**
 * Makes sure the packet template exists before an ingest, without replacing one that is there:
 * `sluice setup` may have installed it with a lifecycle setting (ILM), and a least-privilege publish
 * key may not manage templates at all (403 on GET or PUT: the ingest goes on and says so).
 * Returns what happened.
 */
export async function ensurePacketTemplate(client: EngineClient, options: PacketTemplateOptions = {}): Promise<'exists' | 'installed' | 'not-allowed'> {
  const { name } = packetIndexTemplate(options);
  const got = await client.request({ method: 'GET', path: `/_index_template/${encodeURIComponent(name)}` });
  if (got.status === 200) return 'exists';
  if (got.status === 401 || got.status === 403) return 'not-allowed';
  try {
    await installPacketTemplate(client, options);
  } catch (err) {
    if (err instanceof SluiceError && err.code === 'SLUICE_ENGINE_AUTH') return 'not-allowed';
    throw err;
  }
  return 'installed';
}
