import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { SluiceError } from '../../errors.js';

/** The request parts a rule can look at. */
export const RULE_FIELDS = ['url', 'path', 'query', 'user_agent', 'referrer', 'method', 'body'] as const;
/** One request part. */
export type RuleField = (typeof RULE_FIELDS)[number];

/** Severities, and the ECS `event.severity` number each maps to (Elastic detection rules use the same). */
export const SEVERITY_NUMBER = { low: 21, medium: 47, high: 73, critical: 99 } as const;
/** A rule's severity. */
export type Severity = keyof typeof SEVERITY_NUMBER;

const literalList = z.array(z.string().min(1, 'must not be empty')).min(1, 'must list at least one entry');

const ruleSchema = z
  .object({
    id: z.string().regex(/^[A-Z][A-Z0-9]*-\d{4,}$/, 'must look like SLW-0001 (upper-case prefix, dash, at least four digits)'),
    name: z.string().min(1),
    description: z.string().optional(),
    category: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be a snake_case word such as sqli or path_traversal'),
    severity: z.enum(['low', 'medium', 'high', 'critical']),
    score: z.number().int('must be a whole number').min(0).max(100),
    mitre: z.array(z.string().regex(/^T\d{4}(\.\d{3})?$/, 'must be a MITRE ATT&CK technique id such as T1190 or T1595.002')).min(1, 'must list at least one technique'),
    fields: z.array(z.enum(RULE_FIELDS)).min(1, 'must list at least one field'),
    prefilter: literalList.optional(),
    contains: literalList.optional(),
    equals: literalList.optional(),
    regex: literalList.optional(),
    references: z.array(z.string()).optional(),
    enabled: z.boolean().default(true),
  })
  .strict()
  .refine((r) => r.contains !== undefined || r.equals !== undefined || r.regex !== undefined, { message: 'needs at least one of contains, equals or regex' });

/** A rule entry that only switches a rule of an earlier file off (`{ id: SLW-0101, enabled: false }`). */
const disableSchema = z.object({ id: z.string(), enabled: z.literal(false) }).strict();

const fileSchema = z
  .object({
    ruleset: z.string().min(1).optional(),
    version: z.union([z.string(), z.number()]).transform(String).optional(),
    mitre: z
      .object({
        tactics: z.record(z.string().regex(/^TA\d{4}$/, 'tactic ids look like TA0001'), z.string().min(1)).optional(),
        techniques: z
          .record(
            z.string().regex(/^T\d{4}(\.\d{3})?$/, 'technique ids look like T1190 or T1595.002'),
            z.object({ name: z.string().min(1), tactics: z.array(z.string().regex(/^TA\d{4}$/)).optional() }).strict(),
          )
          .optional(),
      })
      .strict()
      .optional(),
    rules: z.array(z.unknown()).default([]),
  })
  .strict();

/** One validated rule. */
export interface WebAttackRule {
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  readonly category: string;
  readonly severity: Severity;
  readonly score: number;
  readonly mitre: readonly string[];
  readonly fields: readonly RuleField[];
  readonly prefilter?: readonly string[];
  readonly contains?: readonly string[];
  readonly equals?: readonly string[];
  readonly regex?: readonly string[];
  readonly references?: readonly string[];
  /** The ruleset the rule came from (ECS `rule.ruleset`) and its version (`rule.version`). */
  readonly ruleset: string;
  readonly version?: string;
}

/** MITRE ATT&CK names, from the rule files. */
export interface MitreCatalog {
  readonly tactics: ReadonlyMap<string, string>;
  readonly techniques: ReadonlyMap<string, { readonly name: string; readonly tactics: readonly string[] }>;
}

/** The merged rules of every file, ready to compile. */
export interface WebAttackRuleSet {
  readonly rules: readonly WebAttackRule[];
  readonly mitre: MitreCatalog;
  /** The files read, in order. */
  readonly files: readonly string[];
}

/**
 * The bundled rule file, `rules/web-attacks.yaml` at the package root: this module is
 * `src/enrichers/threat/` in the sources and `dist/src/enrichers/threat/` when compiled.
 */
export function builtinRulesPath(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const up = /[\\/]dist[\\/]src[\\/]enrichers[\\/]threat[\\/]?$/.test(here) ? '../../../../' : '../../../';
  return fileURLToPath(new URL(`${up}rules/web-attacks.yaml`, import.meta.url));
}

/** Options of {@link loadWebAttackRules}. */
export interface LoadRulesOptions {
  /** Extra rule files, applied in order after the bundled one: same id replaces, `enabled: false` switches off. */
  rulesPaths?: readonly string[];
  /** Load the bundled `rules/web-attacks.yaml` first. Default true. */
  builtin?: boolean;
}

/**
 * Reads, validates and merges the rule files. Throws `SLUICE_RULES_INVALID` naming the file, the
 * rule and the field at the first file with problems (all of that file's problems are listed).
 */
export function loadWebAttackRules(options: LoadRulesOptions = {}): WebAttackRuleSet {
  const files = [...(options.builtin === false ? [] : [builtinRulesPath()]), ...(options.rulesPaths ?? [])];
  const byId = new Map<string, WebAttackRule>();
  const tactics = new Map<string, string>();
  const techniques = new Map<string, { name: string; tactics: readonly string[] }>();
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new SluiceError('SLUICE_RULES_INVALID', `The rule file ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}). Check threat.rules_paths.`, { cause: err });
    }
    parseRuleFile(text, file, byId, tactics, techniques);
  }
  // Switched-off rules were removed from byId as the files were read.
  const rules = [...byId.values()];
  const problems: string[] = [];
  for (const r of rules) {
    for (const t of r.mitre) if (!techniques.has(t)) problems.push(`rule ${r.id}: mitre: ${t} is not in any file's mitre.techniques table; add it there with its name and tactics`);
  }
  for (const [id, t] of techniques) {
    if (id.includes('.') && !techniques.has(id.slice(0, 5))) problems.push(`mitre.techniques: ${id} needs its parent technique ${id.slice(0, 5)} in the table`);
    for (const ta of t.tactics) if (!tactics.has(ta)) problems.push(`mitre.techniques: ${id}: tactic ${ta} is not in mitre.tactics`);
  }
  if (problems.length > 0) throw new SluiceError('SLUICE_RULES_INVALID', `The threat rules (${files.join(', ')}) are inconsistent:\n  ${problems.join('\n  ')}`);
  return { rules, mitre: { tactics, techniques }, files };
}

function parseRuleFile(
  text: string,
  file: string,
  byId: Map<string, WebAttackRule>,
  tactics: Map<string, string>,
  techniques: Map<string, { name: string; tactics: readonly string[] }>,
): void {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new SluiceError('SLUICE_RULES_INVALID', `The rule file ${file} is not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  const top = fileSchema.safeParse(doc ?? {});
  if (!top.success) throw invalid(file, top.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`));
  const ruleset = top.data.ruleset ?? basename(file, extname(file));
  for (const [id, name] of Object.entries(top.data.mitre?.tactics ?? {})) tactics.set(id, name);
  for (const [id, t] of Object.entries(top.data.mitre?.techniques ?? {})) techniques.set(id, { name: t.name, tactics: t.tactics ?? [] });
  const problems: string[] = [];
  const seen = new Set<string>();
  top.data.rules.forEach((raw, index) => {
    const label = ruleLabel(raw, index);
    const off = disableSchema.safeParse(raw);
    if (off.success) {
      if (!byId.has(off.data.id)) problems.push(`${label}: there is no earlier rule ${off.data.id} to switch off`);
      byId.delete(off.data.id);
      return;
    }
    const parsed = ruleSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push(`${label}: ${issue.path.join('.') || '(rule)'}: ${issue.message}`);
      return;
    }
    const r = parsed.data;
    if (seen.has(r.id)) problems.push(`${label}: the id ${r.id} is used twice in this file`);
    seen.add(r.id);
    r.regex?.forEach((source, i) => {
      try {
        new RegExp(source, 'i');
      } catch (err) {
        problems.push(`${label}: regex.${i}: ${(err as Error).message}`);
      }
    });
    const rule: WebAttackRule = { ...r, ruleset, ...(top.data.version !== undefined ? { version: top.data.version } : {}) };
    if (!r.enabled) byId.delete(r.id);
    else byId.set(r.id, rule);
  });
  if (problems.length > 0) throw invalid(file, problems);
}

function ruleLabel(raw: unknown, index: number): string {
  const id = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : undefined;
  return id !== undefined ? `rule ${id} (rules.${index})` : `rules.${index}`;
}

function invalid(file: string, problems: string[]): SluiceError {
  return new SluiceError('SLUICE_RULES_INVALID', `The rule file ${file} is invalid:\n  ${problems.join('\n  ')}`);
}
