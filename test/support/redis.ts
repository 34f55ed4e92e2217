/**
 * Redis for the shared rate-limit tests: Debian's redis-server started by scripts/stack/redis.mjs
 * (scripts/test.js starts it when a selected test lives under test/integration/redis/).
 *
 * Where the URL comes from, first match wins: SLUICE_TEST_REDIS_URL (set by the test runner, or by
 * you for a server of your own), then the state file `.stack/redis.json` of a running
 * `node scripts/stack/redis.mjs start`. Without a server the suites skip with a loud message; under
 * CI=true that is a failure. Each suite uses a key prefix of its own and deletes its keys.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { skipWithoutServer, stackServerUrl } from './stack-server.js';

const ENV = 'SLUICE_TEST_REDIS_URL';

/** `redis://host:port` of the test server, or undefined. */
export function redisUrl(): string | undefined {
  return stackServerUrl(ENV, 'redis.json', /^rediss?:\/\//i);
}

/** The `skip` option of a suite that needs Redis: false, or the reason (throws under CI=true). */
export function skipWithoutRedis(): false | string {
  return skipWithoutServer(redisUrl(), 'Redis test server', ENV, 'node scripts/stack/redis.mjs start');
}

/** A TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

/**
 * A private redis-server of a test's own (foreground child, no persistence), to stop and start
 * while clients use it without disturbing the shared test server. Needs `redis-server` on PATH
 * (scripts/stack/redis.mjs installs it).
 */
export class PrivateRedis {
  private child: ChildProcess | undefined;
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static available(): boolean {
    return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
  }

  /** Starts it and resolves once it accepts connections. */
  async start(): Promise<void> {
    const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(this.port), '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const onData = (d: Buffer) => {
        out += d.toString();
        if (/Ready to accept connections/.test(out)) resolve();
      };
      child.stdout!.on('data', onData);
      child.on('exit', (code) => reject(new Error(`redis-server on ${this.port} exited (${code}): ${out.slice(-500)}`)));
    });
  }

  /** Stops it (SIGKILL: an outage, not a clean shutdown) and waits for the exit. */
  async stop(): Promise<void> {
    const c = this.child;
    this.child = undefined;
    if (c === undefined || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  }
}
