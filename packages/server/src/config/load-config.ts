import { readFileSync } from 'node:fs';
import {
  configOptions,
  foreignEnvPrefixes,
  foreignEnvVars,
  type ConfigOption,
  type HearthConfig,
} from './config-options.js';

/** A configuration problem, reported to the operator as one line. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface LoadConfigInput {
  env?: NodeJS.ProcessEnv;
  /** Path to a JSON config file; defaults to HEARTH_CONFIG_FILE. */
  configFile?: string;
  /** Values that win over both (command-line flags). */
  overrides?: Partial<Record<keyof typeof configOptions, string>>;
}

const FILE_SUFFIX = '_FILE';
const optionsByEnv = new Map<string, [string, ConfigOption<unknown>]>(
  Object.entries(configOptions).map(([name, option]) => [option.env, [name, option]]),
);
const optionsByKey = new Map<string, [string, ConfigOption<unknown>]>(
  Object.entries(configOptions).map(([name, option]) => [option.key, [name, option]]),
);

function isKnownEnvName(name: string): boolean {
  if (optionsByEnv.has(name) || foreignEnvVars.includes(name)) return true;
  if (foreignEnvPrefixes.some((prefix) => name.startsWith(prefix))) return true;
  return (
    name.endsWith(FILE_SUFFIX) && optionsByEnv.get(name.slice(0, -FILE_SUFFIX.length))?.[1].secret === true
  );
}

function readConfigFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `HEARTH_CONFIG_FILE: cannot read ${path} (${(error as NodeJS.ErrnoException).code})`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`HEARTH_CONFIG_FILE: ${path} is not valid JSON (${(error as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`HEARTH_CONFIG_FILE: ${path} must hold a JSON object`);
  }
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    const entry = optionsByKey.get(key);
    if (!entry) throw new ConfigError(`HEARTH_CONFIG_FILE: unknown key "${key}" in ${path}`);
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      const asList = Array.isArray(value) && value.every((item) => typeof item === 'string');
      if (!asList)
        throw new ConfigError(`HEARTH_CONFIG_FILE: "${key}" in ${path} must be a string, number or boolean`);
      values[entry[0]] = (value as string[]).join(',');
      continue;
    }
    values[entry[0]] = String(value);
  }
  return values;
}

function readSecretFile(envName: string, path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new ConfigError(
      `${envName}${FILE_SUFFIX}: cannot read ${path} (${(error as NodeJS.ErrnoException).code})`,
    );
  }
}

/**
 * Reads HEARTH_* variables and the optional config file, validates every
 * value once, and fails with one line naming the variable at fault.
 */
export function loadConfig(input: LoadConfigInput = {}): HearthConfig {
  const env = input.env ?? process.env;

  const unknown = Object.keys(env)
    .filter((name) => name.startsWith('HEARTH_') && !isKnownEnvName(name))
    .sort();
  if (unknown.length > 0) {
    throw new ConfigError(
      `${unknown[0]}: unknown variable (see docs/configuration.md for the supported ones)`,
    );
  }

  const configFile = input.configFile ?? env.HEARTH_CONFIG_FILE;
  const fromFile = configFile ? readConfigFile(configFile) : {};

  const config: Record<string, unknown> = {};
  for (const [name, option] of Object.entries(configOptions) as [string, ConfigOption<unknown>][]) {
    const fileVar = env[`${option.env}${FILE_SUFFIX}`];
    let raw: string | undefined = input.overrides?.[name as keyof typeof configOptions];
    let source = raw === undefined ? option.env : `--${name}`;
    if (raw === undefined && env[option.env] !== undefined) raw = env[option.env];
    if (raw === undefined && option.secret && fileVar !== undefined) {
      raw = readSecretFile(option.env, fileVar);
      source = `${option.env}${FILE_SUFFIX}`;
    }
    if (raw === undefined && fromFile[name] !== undefined) {
      raw = fromFile[name];
      source = `${option.key} in ${configFile}`;
    }
    if (raw === undefined || (raw === '' && option.default === undefined)) raw = option.default;
    if (raw === undefined) continue;

    const result = option.schema.safeParse(raw.trim());
    if (!result.success) {
      const shown =
        option.secret || option.errorsQuoteTheValue
          ? ''
          : ` (got ${JSON.stringify(raw.length > 80 ? `${raw.slice(0, 80)}…` : raw)})`;
      throw new ConfigError(`${source}: ${result.error.issues[0]?.message ?? 'invalid value'}${shown}`);
    }
    config[name] = result.data;
  }

  const s3Keys = ['s3Endpoint', 's3Bucket', 's3AccessKey', 's3SecretKey'] as const;
  const s3Set = s3Keys.filter((key) => config[key] !== undefined);
  if (s3Set.length > 0 && s3Set.length < s3Keys.length) {
    const missing = s3Keys.find((key) => config[key] === undefined);
    if (missing) {
      throw new ConfigError(
        `${configOptions[missing].env}: required when ${configOptions[s3Set[0] ?? 's3Endpoint'].env} is set`,
      );
    }
  }

  if (config.encryptionKeyPrevious !== undefined && config.encryptionKey === undefined) {
    throw new ConfigError(
      `${configOptions.encryptionKeyPrevious.env}: needs ${configOptions.encryptionKey.env} (the key to re-encrypt under)`,
    );
  }

  return config as HearthConfig;
}
