/**
 * Installs the packet index template (idempotent: PUT replaces it with the same content). Used by
 * `sluice ingest --to elasticsearch` before the first document and, later, by `sluice setup`.
 */
import { SluiceError } from '../../errors.js';
import type { EngineClient } from './http/engine-client.js';
import { putIndexTemplate } from './ecs-template.js';
import { packetIndexTemplate, type PacketTemplateOptions } from './index-template.js';

/** PUTs the composable template; returns its name. */
export async function installPacketTemplate(client: EngineClient, options: PacketTemplateOptions = {}): Promise<string> {
  return putIndexTemplate(client, packetIndexTemplate(options));
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
