// SPDX-License-Identifier: Apache-2.0

/**
 * The service's settings, read from environment variables only (the same contract as the Java
 * worker): PORT (8081), BIND_HOST (0.0.0.0), KAFKA_BOOTSTRAP_SERVERS (127.0.0.1:9092),
 * TRACELAB_VARIANT (fixed|broken). Telemetry reads the standard OTEL_* variables (telemetry.js).
 */

export const VARIANTS = Object.freeze(['fixed', 'broken']);

/** A bad setting: its message names the variable; the launcher exits with code 2. */
export class ConfigError extends Error {
  name = 'ConfigError';
}

/** @returns {{ bindHost: string, port: number, kafkaBootstrapServers: string[], variant: 'fixed'|'broken' }} */
export function readConfig(env = process.env) {
  return {
    bindHost: get(env, 'BIND_HOST', '0.0.0.0'),
    port: getInt(env, 'PORT', 8081, 0, 65535),
    kafkaBootstrapServers: get(env, 'KAFKA_BOOTSTRAP_SERVERS', '127.0.0.1:9092')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
    variant: variant(env),
  };
}

function get(env, name, defaultValue) {
  const value = env[name];
  return value === undefined || value.trim() === '' ? defaultValue : value.trim();
}

function getInt(env, name, defaultValue, min, max) {
  const raw = get(env, name, '');
  if (raw === '') {
    return defaultValue;
  }
  if (!/^[+-]?\d+$/.test(raw)) {
    throw new ConfigError(`${name}=${env[name]} is not an integer`);
  }
  const value = Number.parseInt(raw, 10);
  if (value < min || value > max) {
    throw new ConfigError(`${name}=${env[name]} is out of range [${min}, ${max}]`);
  }
  return value;
}

function variant(env) {
  const value = get(env, 'TRACELAB_VARIANT', 'fixed').toLowerCase();
  if (!VARIANTS.includes(value)) {
    throw new ConfigError(`TRACELAB_VARIANT: unknown variant '${env.TRACELAB_VARIANT}' (expected fixed or broken)`);
  }
  return value;
}
