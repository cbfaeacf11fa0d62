export { configOptions, type HearthConfig, type ConfigOption } from './config-options.js';
export { loadConfig, ConfigError, type LoadConfigInput } from './load-config.js';
