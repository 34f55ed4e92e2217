/** Public API of sluice's configuration. */
export { loadConfig, resolveConfig, findConfigFile, type LoadConfigOptions, type ResolvedConfig } from './load.js';
export { configSchema, type SluiceConfig, type DeepReadonly } from './schema.js';
export { Secret, isSecret, REDACTED } from './secret.js';
export { redactConfig, redactUrl, type Redacted } from './redact.js';
export { ConfigError, ConfigFileError, formatProblem, type ConfigProblem } from './config-error.js';
export {
  CONFIG_KEYS, configKey, envVarName, flagName, flagAttributeName, type ConfigKey, type TypeInfo,
} from './keys.js';
export { configFlagsFromOptions } from './flags.js';
export { CONFIG_RULES, type ConfigRule } from './rules.js';
export { buildJsonSchema } from './json-schema.js';
export { defaultConfigYaml } from './default-config-yaml.js';
