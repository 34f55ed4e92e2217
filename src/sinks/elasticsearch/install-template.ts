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
    throw new SluiceError('SLUICE_ENGINE_UNSUPPORTED', `installing the index template ${name} on ${res.node} failed: HTTP ${res.status} ${client.scrub(res.text().slice(0, 500))}`);
  }
  return name;
}
