// SPDX-License-Identifier: Apache-2.0

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, readConfig } from '../src/config.js';

describe('readConfig', () => {
  it('has the Java worker defaults', () => {
    assert.deepEqual(readConfig({}), {
      bindHost: '0.0.0.0',
      port: 8081,
      kafkaBootstrapServers: ['127.0.0.1:9092'],
      variant: 'fixed',
    });
  });

  it('reads every setting, trimmed', () => {
    assert.deepEqual(
      readConfig({ BIND_HOST: ' 127.0.0.1 ', PORT: '0', KAFKA_BOOTSTRAP_SERVERS: 'a:1, b:2,', TRACELAB_VARIANT: 'BROKEN' }),
      { bindHost: '127.0.0.1', port: 0, kafkaBootstrapServers: ['a:1', 'b:2'], variant: 'broken' },
    );
  });

  /** @type {Array<[NodeJS.ProcessEnv, string]>} */
  const invalid = [
    [{ PORT: 'eighty' }, 'PORT=eighty is not an integer'],
    [{ PORT: '65536' }, 'PORT=65536 is out of range [0, 65535]'],
    [{ TRACELAB_VARIANT: 'half' }, "TRACELAB_VARIANT: unknown variant 'half' (expected fixed or broken)"],
  ];
  for (const [env, message] of invalid) {
    it(`names the variable in the error: ${message}`, () => {
      assert.throws(() => readConfig(env), (e) => e instanceof ConfigError && e.message === message);
    });
  }
});
