/**
 * Dead letters: items a sink refused permanently (a 4xx other than 409/429), kept as NDJSON under
 * the data directory with everything needed to understand and resend them: the original
 * document, the error type and reason, the time, the target and the source position.
 * `sluice dlq list|replay` reads these files.
 */
import { appendFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SinkItem } from './sink-item.js';

/** One line of a dead-letter file. */
export interface DeadLetter {
  readonly time: string;
  readonly sink: string;
  readonly target: string;
  readonly id: string;
  readonly status: number;
  readonly type: string;
  readonly reason: string;
  readonly position: unknown;
  /** The document, as sent (JSON documents are embedded as objects, others as a string). */
  readonly document: unknown;
}

/** Appends dead letters of one sink to `<dataDir>/dlq/<sink>.ndjson`. */
export class DeadLetterQueue {
  readonly path: string;
  private ready: Promise<unknown> | undefined;

  constructor(readonly dataDir: string, readonly sink: string) {
    this.path = join(dataDir, 'dlq', `${sink}.ndjson`);
  }

  /** Records refused items; resolves once the lines are written. */
  async add(items: readonly { item: SinkItem; status: number; type: string; reason: string }[]): Promise<void> {
    if (items.length === 0) return;
    this.ready ??= mkdir(join(this.dataDir, 'dlq'), { recursive: true });
    await this.ready;
    const time = new Date().toISOString();
    let text = '';
    for (const { item, status, type, reason } of items) {
      let document: unknown;
      try {
        document = JSON.parse(item.body.toString('utf8'));
      } catch {
        document = item.body.toString('utf8');
      }
      const line: DeadLetter = { time, sink: this.sink, target: item.target, id: item.id, status, type, reason, position: item.position, document };
      text += JSON.stringify(line) + '\n';
    }
    await appendFile(this.path, text);
  }

  /** Replaces the file with `letters` (after a replay: the ones still refused); removes it when empty. */
  async replace(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) {
      await rm(this.path, { force: true });
      return;
    }
    const tmp = `${this.path}.tmp-${process.pid}`;
    await writeFile(tmp, letters.map((l) => JSON.stringify(l)).join('\n') + '\n');
    await rename(tmp, this.path);
  }

  /** Every dead letter of this sink (an empty list when there is none). */
  async list(): Promise<DeadLetter[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch {
      return [];
    }
    return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as DeadLetter);
  }
}
