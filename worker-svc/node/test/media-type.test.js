// SPDX-License-Identifier: Apache-2.0

/** The same cases as the Java JsonMediaTypeTest and the Go gateway's TestNotJSONParsesTheMediaType. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { notJson } from '../src/media-type.js';

describe('the Content-Type of POST /work is parsed, not prefix-matched', () => {
  for (const contentType of [
    'application/json',
    'Application/JSON',
    'application/json; charset=utf-8',
    'application/json;charset=UTF-8',
    'application/json; charset="utf-8"',
    'application/json ; charset=utf-8',
    'application/json; foo=bar',
    'application/json;',
  ]) {
    it(`JSON: ${contentType}`, () => assert.equal(notJson(contentType), null));
  }

  for (const contentType of [
    'application/jsonx',
    'application/json-patch+json',
    'application/problem+json',
    'application/x-json',
    'text/json',
    'text/plain',
    'application/json/x',
    'application/json, text/plain',
    'application/',
    'application',
    'json',
    '/json',
    'application/json; charset',
    'application/json; charset="utf-8',
    'application/json; charset=iso-8859-1',
    '',
    ' ',
  ]) {
    it(`not JSON: '${contentType}'`, () => {
      const reason = notJson(contentType);
      assert.ok(reason?.startsWith('Content-Type must be application/json'), reason ?? 'null');
      assert.ok(reason.endsWith(`was ${contentType.trim() === '' ? 'none' : contentType}`), reason);
    });
  }

  it('not JSON: none sent', () => assert.equal(notJson(undefined), 'Content-Type must be application/json, was none'));

  it('not JSON: a charset other than utf-8', () =>
    assert.equal(
      notJson('application/json; charset=iso-8859-1'),
      'Content-Type must be application/json in UTF-8 (charset utf-8 or none), was application/json; charset=iso-8859-1',
    ));
});
