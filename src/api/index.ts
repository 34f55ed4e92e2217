/** The daemon's HTTP endpoint: metrics, liveness and readiness. */
export { startDaemonServer, parseListenAddress, DAEMON_SERVER_DEFAULTS, DEFAULT_LISTEN_ADDRESS, type DaemonServer, type DaemonServerOptions } from './daemon-server.js';
export {
  runReadiness,
  engineReadiness,
  storeReadiness,
  intakeReadiness,
  READINESS_TIMEOUT_MS,
  type ReadinessCheck,
  type ReadinessCheckResult,
  type ReadinessResult,
} from './readiness.js';
export { startDaemonOps, type DaemonOps, type DaemonOpsOptions } from './daemon-ops.js';
