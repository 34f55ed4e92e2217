/**
 * How a suite finds a server of the test stack (scripts/stack/*.mjs) and skips without one: the
 * URL comes from an environment variable (set by scripts/test.js) or from the state file the start
 * script wrote, when its process is still alive. Without a server a suite skips with a loud line;
 * under CI=true that is a failure, since CI must not pass with a server missing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file runs from dist/test/support/). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** True when a process with this pid exists. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The parsed `.stack/<file>` state of a running server (its pid alive), or undefined. */
export function stackState<T extends { url?: unknown; pid?: unknown }>(file: string): T | undefined {
  try {
    const state = JSON.parse(readFileSync(join(REPO_ROOT, '.stack', file), 'utf8')) as T;
    if (typeof state.url === 'string' && Number.isInteger(state.pid) && pidAlive(state.pid as number)) return state;
  } catch {
    /* none */
  }
  return undefined;
}

/**
 * The server's URL: from `env` when set (a value that does not match `valid` — e.g. `unavailable: no
 * JDK 21` — means none), else from the running server's state file.
 */
export function stackServerUrl(env: string, stateFile: string, valid: RegExp): string | undefined {
  const fromEnv = process.env[env]?.trim();
  if (fromEnv) return valid.test(fromEnv) ? fromEnv : undefined;
  return stackState<{ url: string; pid: number }>(stateFile)?.url;
}

/** The `skip` option of a suite: false when `url` is there, else the reason (throws under CI=true). */
export function skipWithoutServer(url: string | undefined, what: string, env: string, startCommand: string): false | string {
  if (url !== undefined) return false;
  const value = process.env[env]?.trim();
  const why = value ? `${env}=${value}` : `${env} is unset and none from scripts/stack is running`;
  const msg = `no ${what} (${why}): SKIPPING its tests (start one with \`${startCommand}\`)`;
  if (process.env.CI === 'true') throw new Error(`${msg}; under CI=true a skipped suite is a failure`);
  console.error(`\n*** ${msg} ***\n`);
  return msg;
}
