/**
 * The commented default configuration written by `sluice config init`: every key of the schema,
 * nested as the YAML file expects it, with its description, environment variable and default. Keys
 * without a default (and secrets) are written commented out, so the file loads as it is.
 */
import { stringify } from 'yaml';
import { CONFIG_KEYS, type ConfigKey } from './keys.js';

/** The YAML text of the default configuration. */
export function defaultConfigYaml(): string {
  const lines = [
    '# sluice configuration (written by `sluice config init`).',
    '# Precedence: command-line flags > environment (SLUICE_*, also from ./.env) > this file > defaults.',
    '# Secrets (passwords, API keys) are best set in the environment or .env, not here.',
    '',
  ];
  const written = new Set<string>();
  for (const key of [...CONFIG_KEYS].sort((a, b) => a.path.localeCompare(b.path))) {
    const parts = key.path.split('.');
    // Open the parent sections the first time they are needed.
    for (let depth = 1; depth < parts.length; depth++) {
      const section = parts.slice(0, depth).join('.');
      if (written.has(section)) continue;
      written.add(section);
      lines.push('', `${'  '.repeat(depth - 1)}${parts[depth - 1]}:`);
    }
    const indent = '  '.repeat(parts.length - 1);
    lines.push(...describe(key).map((l) => `${indent}# ${l}`));
    const name = parts[parts.length - 1];
    if (key.default === undefined || key.secret) lines.push(`${indent}# ${name}:`);
    else lines.push(`${indent}${name}: ${inline(key.default)}`);
  }
  return lines.join('\n') + '\n';
}

function describe(key: ConfigKey): string[] {
  return [key.description, `env: ${key.env}${key.secret ? ' (secret: keep it out of this file)' : ''}`];
}

function inline(value: unknown): string {
  return stringify(value).trim();
}
