/**
 * sluice as a library. The `Pipeline` covers the common case (files in, documents out, exactly
 * once); the other exports are the building blocks the commands are made of.
 */
export { Pipeline, type PipelineConfig, type PipelineFileSummary } from './pipeline/pipeline.js';
export { loadConfig, type SluiceConfig, Secret } from './config/index.js';
export { SluiceError, isSluiceError, ERROR_CODES, type ErrorCode } from './errors.js';
export { ingestFiles, type IngestOptions, type IngestSummary, type FileOutcome } from './pipeline/ingest.js';
export { AccessLogPipeline, type AccessLogPipelineOptions } from './pipeline/logs/access-log-pipeline.js';
export { HoneypotPipeline, type HoneypotPipelineOptions } from './pipeline/logs/honeypot-pipeline.js';
export { createAccessLogParser, type AccessLogParser, type AccessLogDocument } from './decoders/access-log/index.js';
export { parseCowrieLine, cowrieEventToEcs, type CowrieEvent } from './decoders/honeypot/index.js';
export { GeoIpEnricher } from './enrichers/geoip/geoip-enricher.js';
export { UserAgentEnricher } from './enrichers/user-agent/user-agent-enricher.js';
export { WebAttackDetector } from './enrichers/threat/web-attack-detector.js';
export { HoneypotAnalytics } from './query/honeypot/index.js';
export { HoneypotStore } from './sinks/relational/index.js';
