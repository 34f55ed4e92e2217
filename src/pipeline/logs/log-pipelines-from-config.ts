/**
 * The log pipelines as the configuration describes them: the access-log parser and the enrichers
 * (GeoIP, user agent, attack rules), or the honeypot parser with GeoIP. Enrichers load their data
 * once here (the GeoIP databases take about a second); a missing database is a warning.
 */
import type { SluiceConfig } from '../../config/index.js';
import { AccessLogPipeline } from './access-log-pipeline.js';
import { HoneypotPipeline } from './honeypot-pipeline.js';
import type { GeoIpEnricher } from '../../enrichers/geoip/geoip-enricher.js';

/** Opens the GeoIP enricher of `geoip.*` (undefined when disabled). */
export async function geoIpFromConfig(config: SluiceConfig, warn: (message: string) => void): Promise<GeoIpEnricher | undefined> {
  const g = config.geoip;
  if (!g.enabled) return undefined;
  const { GeoIpEnricher: Enricher } = await import('../../enrichers/geoip/geoip-enricher.js');
  return Enricher.open({
    cityDbPaths: g.city_db_paths.length > 0 ? [...g.city_db_paths] : undefined,
    asnDbPaths: g.asn_db_paths === undefined ? undefined : [...g.asn_db_paths],
    cacheEntries: g.cache_entries_count,
    warn,
  });
}

/** The access-log pipeline of `access_log.*`, `geoip.*`, `user_agent.*` and `threat.*`. */
export async function accessLogPipelineFromConfig(config: SluiceConfig, warn: (message: string) => void, geoipOpened?: GeoIpEnricher): Promise<AccessLogPipeline> {
  const a = config.access_log;
  const parser =
    a.apache_log_format !== undefined
      ? { apacheLogFormat: a.apache_log_format }
      : a.nginx_log_format !== undefined
        ? { nginxLogFormat: a.nginx_log_format }
        : { format: a.format, jsonModule: a.json_module };
  const geoip = geoipOpened ?? (await geoIpFromConfig(config, warn));
  const userAgent = config.user_agent.enabled
    ? new (await import('../../enrichers/user-agent/user-agent-enricher.js')).UserAgentEnricher({ cacheEntries: config.user_agent.cache_entries_count })
    : undefined;
  const threat = config.threat.enabled
    ? (await import('../../enrichers/threat/web-attack-detector.js')).WebAttackDetector.load({ builtin: config.threat.builtin_rules, rulesPaths: [...config.threat.rules_paths] })
    : undefined;
  return new AccessLogPipeline({ parser, indexPattern: a.index_pattern, geoip, userAgent, threat });
}

/** The honeypot pipeline of `honeypot.*` and `geoip.*`. */
export async function honeypotPipelineFromConfig(config: SluiceConfig, warn: (message: string) => void, geoip?: GeoIpEnricher): Promise<HoneypotPipeline> {
  const h = config.honeypot;
  return new HoneypotPipeline({
    indexPrefix: h.index_prefix,
    maxFieldBytes: h.max_field_bytes,
    sensorName: h.sensor_name,
    sessionMemory: h.session_memory_count,
    geoip: geoip ?? (await geoIpFromConfig(config, warn)),
  });
}
