/**
 * The Elasticsearch / OpenSearch sink: `_bulk` requests of `create` actions, sent through the one
 * shared driver (src/sinks/util/batch-driver.ts), which batches, retries, dead-letters and
 * acknowledges. This file only turns a batch into a request and the answer into per-item outcomes.
 */
import { SluiceError } from '../../errors.js';
import { RequestFailure, type BatchSender, type ItemOutcome, type SinkItem } from '../util/sink-item.js';
import { encodeBulk } from './bulk-encoder.js';
import { bulkOutcomes } from './bulk-response.js';
import type { EngineClient } from './http/engine-client.js';

/** Sends batches to the `_bulk` API. */
export class ElasticsearchSink implements BatchSender<SinkItem> {
  constructor(private readonly client: EngineClient, private readonly options: { refresh?: boolean } = {}) {}

  async send(batch: readonly SinkItem[]): Promise<ItemOutcome[]> {
    let res;
    try {
      res = await this.client.request({
        method: 'POST',
        path: '/_bulk',
        query: { refresh: this.options.refresh ? 'true' : undefined, filter_path: 'errors,items.*.status,items.*.error' },
        body: encodeBulk(batch),
        ndjson: true,
      });
    } catch (err) {
      // Every node unreachable or timing out: the whole request is retried behind the breaker.
      if (err instanceof SluiceError && (err.code === 'SLUICE_ENGINE_UNREACHABLE' || err.code === 'SLUICE_ENGINE_TIMEOUT')) {
        throw new RequestFailure(err.message, true, undefined, { cause: err });
      }
      throw err;
    }
    const status = res.status;
    if (status === 413) throw new RequestFailure(`${res.request} on ${res.node}: 413 request too large`, false, 413);
    if (status === 429 || status >= 500) throw new RequestFailure(`${res.request} on ${res.node}: HTTP ${status} ${res.text().slice(0, 300)}`, true, status);
    if (status === 401 || status === 403) {
      throw new RequestFailure(
        `${res.request} on ${res.node}: HTTP ${status}: the credentials were refused or lack the create_doc/create_index privileges on the sluice indices; check elasticsearch.username/password or api_key`,
        false,
        status,
      );
    }
    if (status >= 400) throw new RequestFailure(`${res.request} on ${res.node}: HTTP ${status} ${res.text().slice(0, 500)}`, false, status);
    return bulkOutcomes(res.json(), batch.length);
  }
}
