import { LiteralSetScanner } from './literal-set-scanner.js';
import { normalizeHeader, normalizePath, normalizeQuery, splitTarget } from './normalize-request.js';
import { requiredLiterals } from './required-literals.js';
import { SEVERITY_NUMBER, loadWebAttackRules, type LoadRulesOptions, type MitreCatalog, type RuleField, type WebAttackRule, type WebAttackRuleSet } from './rule-file.js';

/** The parts of an ECS web event the detector reads (what the access-log decoders produce). */
export interface WebRequestView {
  url?: { original?: string; path?: string; query?: string };
  http?: { request?: { method?: string; referrer?: string; body?: { content?: string } } };
  user_agent?: { original?: string };
}

/** A document the detector writes its findings into. */
export interface ThreatDocument extends WebRequestView {
  event?: { kind?: string; category?: string | string[]; risk_score?: number; risk_score_norm?: number; severity?: number; [key: string]: unknown };
  rule?: Record<string, string | string[]>;
  threat?: Record<string, unknown>;
  sluice?: Record<string, unknown>;
}

/** One rule that fired: which request part matched and the matching text (at most 120 characters). */
export interface ThreatHit {
  readonly rule: WebAttackRule;
  readonly field: RuleField;
  readonly match: string;
}

/** A rule ready to run: literals in lower case, regular expressions compiled. */
interface CompiledRule {
  readonly rule: WebAttackRule;
  readonly prefilter: readonly string[] | undefined;
  readonly contains: readonly string[];
  readonly equals: ReadonlySet<string> | undefined;
  readonly regex: readonly RegExp[];
  /** Per regex: its necessary literals (required-literals.ts), or undefined when it must always run. */
  readonly regexGuards: readonly (readonly string[] | undefined)[];
}

/** A rule as one field's matcher runs it: its literals as ids of that field's scanner. */
interface FieldRule {
  readonly c: CompiledRule;
  readonly prefilter: Int32Array | undefined;
  readonly contains: Int32Array;
  /** Per regex: the ids of which one must have been found, or undefined (always run). */
  readonly regexGuards: readonly (Int32Array | undefined)[];
}

/** Everything one request part is checked with: one literal scan, then the rules in order. */
interface FieldMatcher {
  readonly field: RuleField;
  readonly scanner: LiteralSetScanner;
  readonly rules: readonly FieldRule[];
  /** The rules that can fire on a text without any of the scanner's literals (equals, unguarded regex). */
  readonly withoutLiterals: readonly FieldRule[];
}

const MATCH_CHARS = 120;

/** A rule that matches a request part, and the text it matched (before the rules fired elsewhere are removed). */
interface Candidate {
  readonly rule: WebAttackRule;
  readonly match: string;
}

/** The candidates of the parts of a request target. */
type TargetMatches = { readonly path?: readonly Candidate[]; readonly query?: readonly Candidate[]; readonly url?: readonly Candidate[] };

const NO_MATCHES: readonly Candidate[] = Object.freeze([]);

/** Entries per generation of a {@link PartCache}. */
const PART_CACHE_ENTRIES = 4096;
/** Longer texts are matched every time: long values are mostly unique (payloads) and would crowd the cache. */
const PART_CACHE_MAX_CHARS = 512;

/**
 * What a request part matched, by its text as logged. Matching is a pure function of the text (the
 * rules are fixed, their regular expressions stateless), so a cached answer is the answer. Two
 * generations of at most {@link PART_CACHE_ENTRIES} each: a full young generation becomes the old
 * one, and an entry found in the old one moves back; the texts in use stay, at a Map lookup each.
 * At most 2 × 4,096 texts of at most 512 characters per part (a few MB, whatever the traffic).
 */
class PartCache<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();

  get(text: string, compute: (text: string) => V): V {
    if (text.length > PART_CACHE_MAX_CHARS) return compute(text);
    let v = this.young.get(text);
    if (v !== undefined) return v;
    v = this.old.get(text) ?? compute(text);
    if (this.young.size >= PART_CACHE_ENTRIES) {
      this.old = this.young;
      this.young = new Map();
    }
    // A copy as the key: `text` is usually a slice of its log line, which the cache would keep alive.
    this.young.set((' ' + text).slice(1), v);
    return v;
  }
}


/**
 * Web-attack detection from a YAML rule set (`rules/web-attacks.yaml` plus user files): each
 * request part is normalised once and scanned once for every literal any of its rules needs (the
 * rules' prefilters and `contains` lists, and literals derived from each regex: see
 * required-literals.ts) with one Aho-Corasick automaton per part. A rule is then decided from that
 * scan, and a regex runs only when its prefilter passed and one of its necessary literals was found,
 * so clean traffic costs one pass per part and almost no regex. The results are exactly those of
 * checking every rule in turn (`includes` per literal, then each regex). Synchronous, allocation-light.
 *
 * Findings go to ECS: `event.kind: alert`, `event.category` + `intrusion_detection`,
 * `event.risk_score` (the highest score of the rules that fired), `event.severity`, `rule.*`,
 * `threat.framework/technique/subtechnique/tactic`, and `sluice.threat.matches` (what matched where).
 */
export class WebAttackDetector {
  private readonly byField: ReadonlyMap<RuleField, readonly CompiledRule[]>;
  private readonly matchers: readonly FieldMatcher[];
  /** Scan results, stamped (no clearing between scans); sized for the largest scanner. */
  private readonly found: Uint32Array;
  private stamp = 0;
  /** What each request part matched, by its text as logged (see {@link PartCache}). */
  private readonly targets = new PartCache<TargetMatches>();
  private readonly agents = new PartCache<readonly Candidate[]>();
  private readonly referrers = new PartCache<readonly Candidate[]>();

  constructor(readonly ruleSet: WebAttackRuleSet) {
    const byField = new Map<RuleField, CompiledRule[]>();
    // Stronger rules first, so that the first hits reported are the most telling.
    const ordered = [...ruleSet.rules].sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
    for (const rule of ordered) {
      const regexSources = rule.regex ?? [];
      const compiled: CompiledRule = {
        rule,
        prefilter: rule.prefilter?.map((s) => s.toLowerCase()),
        contains: (rule.contains ?? []).map((s) => s.toLowerCase()),
        equals: rule.equals ? new Set(rule.equals.map((s) => s.toLowerCase())) : undefined,
        regex: regexSources.map((s) => new RegExp(s, 'i')),
        regexGuards: regexSources.map(requiredLiterals),
      };
      for (const f of rule.fields) {
        let list = byField.get(f);
        if (list === undefined) byField.set(f, (list = []));
        list.push(compiled);
      }
    }
    this.byField = byField;
    this.matchers = [...byField].map(([field, rules]) => fieldMatcher(field, rules));
    this.found = new Uint32Array(Math.max(1, ...this.matchers.map((m) => m.scanner.literals.length)));
  }

  /** Loads the rule files (see {@link loadWebAttackRules}) and compiles them. Throws `SLUICE_RULES_INVALID`. */
  static load(options: LoadRulesOptions = {}): WebAttackDetector {
    return new WebAttackDetector(loadWebAttackRules(options));
  }

  /** Number of rules in use. */
  get ruleCount(): number {
    return this.ruleSet.rules.length;
  }

  /** The rules that fire on `request`, strongest first; empty when none. */
  detect(request: WebRequestView): ThreatHit[] {
    // The request parts are looked up (or normalised and matched) first; the target, the user
    // agent and the referrer repeat heavily in real traffic, so most requests cost three lookups.
    const original = request.url?.original;
    const target =
      original !== undefined && original !== ''
        ? this.targets.get(original, this.matchTarget)
        : this.matchTargetParts(request.url?.path, request.url?.query);
    const ua = request.user_agent?.original;
    const agent = ua !== undefined && this.byField.has('user_agent') ? this.agents.get(ua, this.matchAgent) : NO_MATCHES;
    const ref = request.http?.request?.referrer;
    const referrer = ref !== undefined && ref !== '-' && this.byField.has('referrer') ? this.referrers.get(ref, this.matchReferrer) : NO_MATCHES;
    let hits: ThreatHit[] | undefined;
    let fired: Set<string> | undefined;
    for (let i = 0; i < this.matchers.length; i++) {
      const field = this.matchers[i].field;
      let list: readonly Candidate[];
      if (field === 'path' || field === 'query' || field === 'url') list = target[field] ?? NO_MATCHES;
      else if (field === 'user_agent') list = agent;
      else if (field === 'referrer') list = referrer;
      else if (field === 'method') {
        const method = request.http?.request?.method;
        list = method !== undefined ? this.matchField(this.matchers[i], method.toLowerCase()) : NO_MATCHES;
      } else {
        const body = request.http?.request?.body?.content;
        list = body !== undefined ? this.matchField(this.matchers[i], normalizeQuery(body)) : NO_MATCHES;
      }
      // Every rule that matches the part, in rule order; a rule that fired on an earlier part is not
      // reported again (the same result as skipping it before matching: matching has no side effect).
      for (let k = 0; k < list.length; k++) {
        const c = list[k];
        if (fired?.has(c.rule.id)) continue;
        (fired ??= new Set()).add(c.rule.id);
        (hits ??= []).push({ rule: c.rule, field, match: c.match });
      }
    }
    if (hits === undefined) return [];
    if (hits.length > 1) hits.sort((a, b) => b.rule.score - a.rule.score || a.rule.id.localeCompare(b.rule.id));
    return hits;
  }

  /** The candidates of the target's parts (path, query, url), normalised (normalize-request.ts): from the logged target when there is one, else from `url.path`/`url.query`. */
  private matchTargetParts(path: string | undefined, query: string | undefined): TargetMatches {
    const byField = this.byField;
    const needPath = byField.has('path') || byField.has('url');
    const needQuery = byField.has('query') || byField.has('url');
    const p = needPath && path !== undefined ? normalizePath(path) : undefined;
    const q = needQuery && query !== undefined ? normalizeQuery(query) : undefined;
    const url = p !== undefined || q !== undefined ? (q === undefined ? p : `${p ?? ''}?${q}`) : undefined;
    const out: { path?: readonly Candidate[]; query?: readonly Candidate[]; url?: readonly Candidate[] } = {};
    for (const m of this.matchers) {
      const text = m.field === 'path' ? p : m.field === 'query' ? q : m.field === 'url' ? url : undefined;
      if (text !== undefined) out[m.field as 'path' | 'query' | 'url'] = this.matchField(m, text);
    }
    return out;
  }

  private readonly matchTarget = (original: string): TargetMatches => {
    const split = splitTarget(original);
    return this.matchTargetParts(split.path, split.query);
  };

  private readonly matchAgent = (ua: string): readonly Candidate[] => this.matchOne('user_agent', normalizeHeader(ua));

  private readonly matchReferrer = (ref: string): readonly Candidate[] => this.matchOne('referrer', normalizeQuery(ref));

  private matchOne(field: RuleField, text: string): readonly Candidate[] {
    for (const m of this.matchers) if (m.field === field) return this.matchField(m, text);
    return NO_MATCHES;
  }

  /** Every rule of `m` that matches `text` (normalised), in rule order, whether or not it fired elsewhere. */
  private matchField(m: FieldMatcher, text: string): readonly Candidate[] {
    if (text === '') return NO_MATCHES;
    const found = this.found;
    // Wrapping after 2^32 scans: start again from an all-clear array.
    if (++this.stamp === 0xffffffff) {
      found.fill(0);
      this.stamp = 1;
    }
    const stamp = this.stamp;
    const rules = m.scanner.scan(text, found, stamp) === 0 ? m.withoutLiterals : m.rules;
    let out: Candidate[] | undefined;
    for (const fr of rules) {
      const match = matchRule(fr, text, found, stamp);
      if (match !== undefined) (out ??= []).push({ rule: fr.c.rule, match });
    }
    return out ?? NO_MATCHES;
  }

  /** Runs {@link detect} and writes the findings into `doc`. Returns the hits (empty: `doc` untouched). */
  enrich(doc: ThreatDocument): ThreatHit[] {
    const hits = this.detect(doc);
    if (hits.length > 0) writeThreatFields(doc, hits, this.ruleSet.mitre);
    return hits;
  }
}

/** One scanner over every literal the field's rules use, and the rules with their literals as ids. */
function fieldMatcher(field: RuleField, rules: readonly CompiledRule[]): FieldMatcher {
  const ids = new Map<string, number>();
  const idsOf = (literals: readonly string[]): Int32Array =>
    Int32Array.from(literals, (lit) => {
      let id = ids.get(lit);
      if (id === undefined) ids.set(lit, (id = ids.size));
      return id;
    });
  const fieldRules = rules.map(
    (c): FieldRule => ({
      c,
      prefilter: c.prefilter !== undefined ? idsOf(c.prefilter) : undefined,
      contains: idsOf(c.contains),
      regexGuards: c.regexGuards.map((g) => (g !== undefined ? idsOf(g) : undefined)),
    }),
  );
  const withoutLiterals = fieldRules.filter((fr) => fr.prefilter === undefined && (fr.c.equals !== undefined || fr.regexGuards.some((g) => g === undefined)));
  return { field, scanner: new LiteralSetScanner([...ids.keys()]), rules: fieldRules, withoutLiterals };
}

function anyFound(ids: Int32Array, found: Uint32Array, stamp: number): boolean {
  for (let i = 0; i < ids.length; i++) if (found[ids[i]] === stamp) return true;
  return false;
}

/** The rule's verdict on `text`, decided from the scan where a literal decides it: same result as testing each literal with `includes`. */
function matchRule(fr: FieldRule, text: string, found: Uint32Array, stamp: number): string | undefined {
  const c = fr.c;
  if (fr.prefilter !== undefined && !anyFound(fr.prefilter, found, stamp)) return undefined;
  if (c.equals?.has(text)) return clip(text);
  for (let i = 0; i < fr.contains.length; i++) if (found[fr.contains[i]] === stamp) return c.contains[i];
  for (let i = 0; i < c.regex.length; i++) {
    const guard = fr.regexGuards[i];
    // No necessary literal in the text: the regex cannot match, skip it.
    if (guard !== undefined && !anyFound(guard, found, stamp)) continue;
    const m = c.regex[i].exec(text);
    if (m !== null) return clip(m[0]);
  }
  return undefined;
}

function clip(s: string): string {
  return s.length > MATCH_CHARS ? s.slice(0, MATCH_CHARS) : s;
}

/** ATT&CK reference URL of a technique or tactic id (T1595.002 → techniques/T1595/002/). */
function attackUrl(id: string): string {
  if (id.startsWith('TA')) return `https://attack.mitre.org/tactics/${id}/`;
  return `https://attack.mitre.org/techniques/${id.replace('.', '/')}/`;
}

function oneOrMany(values: string[]): string | string[] {
  return values.length === 1 ? values[0] : values;
}

/** Writes the ECS alert fields for `hits` (strongest first) into `doc`. */
export function writeThreatFields(doc: ThreatDocument, hits: readonly ThreatHit[], mitre: MitreCatalog): void {
  const event = (doc.event ??= {});
  event.kind = 'alert';
  const category = event.category;
  if (category === undefined) event.category = ['intrusion_detection'];
  else if (Array.isArray(category)) {
    if (!category.includes('intrusion_detection')) category.push('intrusion_detection');
  } else if (category !== 'intrusion_detection') event.category = [category, 'intrusion_detection'];
  const top = hits[0].rule;
  event.risk_score = top.score;
  event.risk_score_norm = top.score;
  event.severity = Math.max(...hits.map((h) => SEVERITY_NUMBER[h.rule.severity]));

  const rules = hits.map((h) => h.rule);
  const rule: Record<string, string | string[]> = {
    id: oneOrMany(rules.map((r) => r.id)),
    name: oneOrMany(rules.map((r) => r.name)),
    category: oneOrMany(unique(rules.map((r) => r.category))),
    ruleset: oneOrMany(unique(rules.map((r) => r.ruleset))),
  };
  const versions = unique(rules.flatMap((r) => (r.version !== undefined ? [r.version] : [])));
  if (versions.length > 0) rule.version = oneOrMany(versions);
  doc.rule = rule;

  const ids = unique(rules.flatMap((r) => r.mitre));
  const techniques = unique(ids.map((id) => id.slice(0, 5)));
  const subs = ids.filter((id) => id.includes('.'));
  const tactics = unique(ids.flatMap((id) => mitre.techniques.get(id)?.tactics ?? mitre.techniques.get(id.slice(0, 5))?.tactics ?? []));
  const technique: Record<string, unknown> = {
    id: oneOrMany(techniques),
    name: oneOrMany(techniques.map((id) => mitre.techniques.get(id)?.name ?? id)),
    reference: oneOrMany(techniques.map(attackUrl)),
  };
  if (subs.length > 0) {
    technique.subtechnique = {
      id: oneOrMany(subs),
      name: oneOrMany(subs.map((id) => mitre.techniques.get(id)?.name ?? id)),
      reference: oneOrMany(subs.map(attackUrl)),
    };
  }
  const threat: Record<string, unknown> = { framework: 'MITRE ATT&CK', technique };
  if (tactics.length > 0) {
    threat.tactic = {
      id: oneOrMany(tactics),
      name: oneOrMany(tactics.map((id) => mitre.tactics.get(id) ?? id)),
      reference: oneOrMany(tactics.map(attackUrl)),
    };
  }
  doc.threat = threat;
  const sluice = (doc.sluice ??= {});
  sluice.threat = { matches: hits.map((h) => ({ rule_id: h.rule.id, field: h.field, match: h.match })) };
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
