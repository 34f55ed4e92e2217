import { isbot } from 'isbot';
import { LRUCache } from 'lru-cache';
// ua-parser-js 1.x (MIT) is CommonJS with a default export; 2.x is AGPL and must not be used.
import UAParser from 'ua-parser-js';

/** ECS `user_agent.*` as this enricher fills it. */
export interface EcsUserAgent {
  original?: string;
  name?: string;
  version?: string;
  os?: { name?: string; version?: string; full?: string };
  device?: { name?: string };
}

/** The parts of a document the enricher reads and writes. */
export interface UserAgentDocument {
  user_agent?: EcsUserAgent;
  tags?: string[];
  sluice?: { user_agent?: { bot?: boolean; missing?: boolean } } & Record<string, unknown>;
}

/** What one user-agent string parses to (shared through the cache: never modified). */
export interface ParsedUserAgent {
  readonly name?: string;
  readonly version?: string;
  readonly os?: { readonly name?: string; readonly version?: string; readonly full?: string };
  readonly deviceName?: string;
  /** isbot's verdict: crawlers, scanners, HTTP libraries and command-line clients. */
  readonly bot: boolean;
}

/** Tag added when the user agent is a bot (isbot). */
export const BOT_TAG = 'bot';
/** Tag added when the request carried no user agent (absent, empty, or `-` in a log). */
export const MISSING_USER_AGENT_TAG = 'missing_user_agent';
/** Default LRU size: user-agent strings repeat heavily (a few thousand distinct per million lines). */
export const DEFAULT_USER_AGENT_CACHE_ENTRIES = 10_000;

/** User agents longer than this are not cached (real ones are a few hundred characters). */
const MAX_CACHED_AGENT_CHARS = 1024;

/** Options of {@link UserAgentEnricher}. */
export interface UserAgentOptions {
  /** Parsed user agents kept in the LRU cache. Default 10,000; 0 turns the cache off. */
  cacheEntries?: number;
}

/**
 * `product/version` tokens, for agents ua-parser-js does not name (bots, scanners, libraries):
 * `Mozilla/5.0 (compatible; Googlebot/2.1; …)` → Googlebot 2.1, `sqlmap/1.5.2#stable` → sqlmap 1.5.2.
 */
const PRODUCT_TOKEN = /([A-Za-z][A-Za-z0-9_.+-]*)\/v?(\d[\w.]*)/g;
/** Tokens that name a layout engine or compatibility prefix, never the client itself. */
const NOT_A_PRODUCT = new Set(['mozilla', 'applewebkit', 'khtml', 'gecko', 'version', 'like', 'safari', 'trident']);

/**
 * ECS user-agent parsing (ua-parser-js 1.x) plus bot detection (isbot), behind an LRU cache keyed
 * by the user-agent string (parsing costs tens of microseconds, and the same strings repeat).
 *
 * Writes `user_agent.{name,version,os.{name,version,full},device.name}`, and outside ECS:
 * - bots: tag `bot` and `sluice.user_agent.bot: true` (`false` for a parsed non-bot agent);
 * - no user agent (absent, empty, `-`): tag `missing_user_agent` and `sluice.user_agent.missing: true`.
 */
export class UserAgentEnricher {
  private readonly parser = new UAParser();
  private readonly cache: LRUCache<string, ParsedUserAgent> | undefined;

  constructor(options: UserAgentOptions = {}) {
    const entries = options.cacheEntries ?? DEFAULT_USER_AGENT_CACHE_ENTRIES;
    this.cache = entries > 0 ? new LRUCache({ max: entries }) : undefined;
  }

  /** Parses one user-agent string (cached). Returns undefined for a missing agent (empty or `-`). */
  parse(ua: string | undefined): ParsedUserAgent | undefined {
    if (isMissingUserAgent(ua)) return undefined;
    const agent = ua as string;
    const cached = this.cache?.get(agent);
    if (cached !== undefined) return cached;
    const parsed = this.parseUncached(agent);
    // Oversized agents (floods, payloads) are parsed every time rather than held; the others are
    // copied as keys: `agent` is usually a slice of its log line, which the cache would keep alive.
    if (agent.length <= MAX_CACHED_AGENT_CHARS) this.cache?.set((' ' + agent).slice(1), parsed);
    return parsed;
  }

  /** Adds the user-agent fields, tags and flags to `doc`, reading `doc.user_agent.original`. */
  enrich(doc: UserAgentDocument): void {
    const original = doc.user_agent?.original;
    const parsed = this.parse(original);
    const sluice = (doc.sluice ??= {});
    if (parsed === undefined) {
      addTag(doc, MISSING_USER_AGENT_TAG);
      sluice.user_agent = { ...sluice.user_agent, missing: true };
      return;
    }
    const ua = (doc.user_agent ??= {});
    if (parsed.name !== undefined) ua.name = parsed.name;
    if (parsed.version !== undefined) ua.version = parsed.version;
    if (parsed.os !== undefined) ua.os = { ...parsed.os };
    if (parsed.deviceName !== undefined) ua.device = { name: parsed.deviceName };
    sluice.user_agent = { ...sluice.user_agent, bot: parsed.bot };
    if (parsed.bot) addTag(doc, BOT_TAG);
  }

  private parseUncached(agent: string): ParsedUserAgent {
    const r = this.parser.setUA(agent).getResult();
    const bot = isbot(agent);
    let name = r.browser.name;
    let version = r.browser.version;
    if (name === undefined) {
      for (const m of agent.matchAll(PRODUCT_TOKEN)) {
        if (NOT_A_PRODUCT.has(m[1].toLowerCase())) continue;
        name = m[1];
        version = m[2];
        break;
      }
    }
    const os = r.os.name !== undefined ? { name: r.os.name, ...(r.os.version !== undefined ? { version: r.os.version, full: `${r.os.name} ${r.os.version}` } : { full: r.os.name }) } : undefined;
    const device = [r.device.vendor, r.device.model].filter((s) => s !== undefined && s !== '').join(' ');
    // "Spider" is what Elastic's user_agent processor (uap-core) calls a bot's device.
    const deviceName = device !== '' ? device : bot ? 'Spider' : undefined;
    const result: { -readonly [K in keyof ParsedUserAgent]: ParsedUserAgent[K] } = { bot };
    if (name !== undefined) result.name = name;
    if (version !== undefined) result.version = version;
    if (os !== undefined) result.os = os;
    if (deviceName !== undefined) result.deviceName = deviceName;
    return Object.freeze(result);
  }
}

/** True for a user agent that carries nothing: absent, empty or blank, or the log placeholder `-`. */
export function isMissingUserAgent(ua: string | undefined | null): boolean {
  if (ua === undefined || ua === null) return true;
  const t = ua.trim();
  return t === '' || t === '-';
}

function addTag(doc: UserAgentDocument, tag: string): void {
  if (doc.tags === undefined) doc.tags = [tag];
  else if (!doc.tags.includes(tag)) doc.tags.push(tag);
}
