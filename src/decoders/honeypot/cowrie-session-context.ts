/**
 * Carries what only `cowrie.session.connect` says (source port, honeypot address and port,
 * protocol) to the later events of the same session, so that a login or a command has
 * `destination.port` and `network.protocol` too — what T-Pot-style dashboards group by. Events
 * after `cowrie.session.closed` are filled as well (Cowrie writes `log.closed` after it).
 *
 * Bounded: the oldest sessions are forgotten beyond `maxSessions`. The parser itself stays
 * stateless; an ingest resumed in the middle of a file does not know sessions opened before the
 * checkpoint, and their later events simply lack these fields (their ids do not change).
 */
import type { CowrieEvent } from './cowrie-event.js';

interface Connect {
  readonly src_port?: number;
  readonly dst_ip?: string;
  readonly dst_port?: number;
  readonly protocol?: string;
}

/** Per-stream session memory; one per log file (session ids are only unique per sensor). */
export class CowrieSessionContext {
  readonly #sessions = new Map<string, Connect>();
  readonly #max: number;

  /** `maxSessions`: sessions remembered at most. Default 100 000 (a few MB). */
  constructor(maxSessions = 100_000) {
    this.#max = Math.max(1, Math.floor(maxSessions));
  }

  /** Number of sessions remembered. */
  get size(): number {
    return this.#sessions.size;
  }

  /** Remember a connect, or fill the missing connection fields of a later event (in place). */
  apply(e: CowrieEvent): void {
    if (e.session === undefined) return;
    const key = (e.sensor ?? '') + '\u0000' + e.session;
    if (e.eventid === 'cowrie.session.connect') {
      this.#sessions.delete(key);
      this.#sessions.set(key, { src_port: e.src_port, dst_ip: e.dst_ip, dst_port: e.dst_port, protocol: e.protocol });
      if (this.#sessions.size > this.#max) this.#sessions.delete(this.#sessions.keys().next().value as string);
      return;
    }
    const c = this.#sessions.get(key);
    if (c === undefined) return;
    // direct-tcpip events carry their own (forwarding) addresses: never overwrite what a line says.
    if (e.eventid.startsWith('cowrie.direct-tcpip.') || e.eventid.startsWith('cowrie.tunnelproxy-tcpip.')) {
      e.protocol ??= c.protocol;
      return;
    }
    e.src_port ??= c.src_port;
    e.dst_ip ??= c.dst_ip;
    e.dst_port ??= c.dst_port;
    e.protocol ??= c.protocol;
  }
}
