// SPDX-License-Identifier: Apache-2.0

/**
 * Whether a request's Content-Type is JSON, parsed as RFC 9110 §8.3.1 defines a media type
 * (`type "/" subtype *( OWS ";" OWS [ parameter ] )`, a parameter `token "=" ( token /
 * quoted-string )`), never prefix-matched: application/json in any case, with any parameters, a
 * charset (if given) utf-8 as RFC 8259 §8.1 requires of JSON on the wire. application/jsonx,
 * application/json-patch+json, text/json, a malformed value and none are not JSON. The Java
 * services (dev.tracelab.http.JsonMediaType) and the Go gateway (notJSON) decide the same cases the
 * same way, with the same words.
 */

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;
const QUOTED_STRING = /^"((?:[^"\\]|\\.)*)"/;
const OWS = /^[ \t]*/;

/**
 * Why `contentType` is not JSON, or null when it is.
 *
 * @param {string | undefined} contentType the request's header value; undefined when none was sent
 * @returns {string | null}
 */
export function notJson(contentType) {
  const was = contentType === undefined || contentType.trim() === '' ? 'none' : contentType;
  const parsed = contentType === undefined ? null : parseMediaType(contentType);
  if (parsed === null || parsed.type !== 'application' || parsed.subtype !== 'json') {
    return `Content-Type must be application/json, was ${was}`;
  }
  if (parsed.charset !== null && parsed.charset.toLowerCase() !== 'utf-8') {
    return `Content-Type must be application/json in UTF-8 (charset utf-8 or none), was ${was}`;
  }
  return null;
}

/**
 * @param {string} value
 * @returns {{ type: string, subtype: string, charset: string | null } | null} type and subtype in
 *   lower case, the last charset parameter's value; null when `value` is not a media type
 */
function parseMediaType(value) {
  let rest = value.replace(OWS, '');
  const type = TOKEN.exec(rest)?.[0];
  if (type === undefined || rest[type.length] !== '/') {
    return null;
  }
  rest = rest.slice(type.length + 1);
  const subtype = TOKEN.exec(rest)?.[0];
  if (subtype === undefined) {
    return null;
  }
  rest = rest.slice(subtype.length).replace(OWS, '');
  let charset = null;
  while (rest !== '') {
    if (rest[0] !== ';') {
      return null;
    }
    rest = rest.slice(1).replace(OWS, '');
    if (rest === '' || rest[0] === ';') {
      continue; // an empty parameter: allowed
    }
    const name = TOKEN.exec(rest)?.[0];
    if (name === undefined || rest[name.length] !== '=') {
      return null;
    }
    rest = rest.slice(name.length + 1);
    let parameterValue;
    const quoted = QUOTED_STRING.exec(rest);
    if (quoted !== null) {
      parameterValue = quoted[1].replace(/\\(.)/g, '$1');
      rest = rest.slice(quoted[0].length);
    } else {
      parameterValue = TOKEN.exec(rest)?.[0];
      if (parameterValue === undefined) {
        return null;
      }
      rest = rest.slice(parameterValue.length);
    }
    if (name.toLowerCase() === 'charset') {
      charset = parameterValue;
    }
    rest = rest.replace(OWS, '');
  }
  return { type: type.toLowerCase(), subtype: subtype.toLowerCase(), charset };
}
