/**
 * `sluice dlq list` shows the documents a sink refused for good (with the reason);
 * `sluice dlq replay` sends them again — after the cause was fixed (a template, a mapping) — and
 * keeps in the file only those that are refused again.
 */
import { SluiceError } from '../../errors.js';
import type { SluiceConfig } from '../../config/index.js';
import { BatchDriver } from '../../sinks/util/batch-driver.js';
import { DeadLetterQueue, type DeadLetter } from '../../sinks/util/dead-letter-queue.js';
import type { SinkItem } from '../../sinks/util/sink-item.js';
import { formatCount, processIO, type CommandIO } from '../output.js';
import { engineClientFromConfig } from './engine-client-from-config.js';

/** Options of the dlq commands. */
export interface DlqCommandOptions {
  readonly dataDir: string;
  readonly sink: string;
  readonly output: 'table' | 'json';
  readonly elasticsearch?: SluiceConfig['elasticsearch'];
}

/** `sluice dlq list`. */
export async function runDlqList(options: DlqCommandOptions, io: CommandIO = processIO): Promise<number> {
  const letters = await new DeadLetterQueue(options.dataDir, options.sink).list();
  if (options.output === 'json') {
    for (const l of letters) io.stdout.write(JSON.stringify(l) + '\n');
    return 0;
  }
  if (letters.length === 0) {
    io.stdout.write(`No dead letters for ${options.sink} in ${options.dataDir}.\n`);
    return 0;
  }
  for (const l of letters) io.stdout.write(`${l.time}  ${l.target}  ${l.id}  ${l.status} ${l.type}: ${l.reason}\n`);
  io.stdout.write(`${formatCount(letters.length)} dead letter(s); \`sluice dlq replay\` sends them again once the cause is fixed.\n`);
  return 0;
}

/** `sluice dlq replay`. */
export async function runDlqReplay(options: DlqCommandOptions, io: CommandIO = processIO): Promise<number> {
  const dlq = new DeadLetterQueue(options.dataDir, options.sink);
  const letters = await dlq.list();
  if (letters.length === 0) {
    io.stdout.write(`No dead letters for ${options.sink}: nothing to replay.\n`);
    return 0;
  }
  const es = options.elasticsearch;
  if (options.sink !== 'elasticsearch' || es === undefined || es.urls.length === 0) {
    throw new SluiceError('SLUICE_USAGE', 'dlq replay needs the engine: --es-url https://host:9200 (or elasticsearch.urls)');
  }
  const { ElasticsearchSink } = await import('../../sinks/elasticsearch/elasticsearch-sink.js');
  const client = engineClientFromConfig(es, io);
  const stillDead: DeadLetter[] = [];
  const replayed = new Set<string>();
  try {
    const driver = new BatchDriver<SinkItem<DeadLetter>>({
      sender: new ElasticsearchSink(client),
      flushBytes: es.flush_bytes,
      concurrency: es.concurrency_count,
      onAck: (items, outcome) => {
        for (const it of items) if (outcome !== 'dead') replayed.add(it.position.id);
      },
      deadLetters: {
        add: async (dead: readonly { item: SinkItem<DeadLetter>; status: number; type: string; reason: string }[]) => {
          for (const d of dead) stillDead.push({ ...d.item.position, time: new Date().toISOString(), status: d.status, type: d.type, reason: d.reason });
        },
      },
    });
    for (const l of letters) {
      const body = Buffer.from(typeof l.document === 'string' ? l.document : JSON.stringify(l.document));
      await driver.push({ id: l.id, target: l.target, body, position: l });
    }
    await driver.close();
  } finally {
    await client.close();
  }
  await dlq.replace(stillDead);
  io.stdout.write(`Replayed ${formatCount(letters.length)} dead letter(s): ${formatCount(replayed.size)} delivered, ${formatCount(stillDead.length)} refused again${stillDead.length > 0 ? ` (kept in ${dlq.path})` : ''}.\n`);
  return stillDead.length > 0 ? 1 : 0;
}
