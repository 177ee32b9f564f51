// SPDX-License-Identifier: Apache-2.0

/**
 * RFC 9457 problem details, written as application/problem+json, in the same shape as the Java
 * services: type about:blank, title, status, detail, instance (the request path) and, for invalid
 * fields, `errors` with a JSON pointer per field.
 */

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** One invalid field: its JSON pointer (`#/quantity`) and what is wrong with it. */
export function fieldError(field, detail) {
  return { pointer: `#/${field}`, detail: `${field}: ${detail}` };
}

export function badRequest(detail, errors = []) {
  return problem(400, 'Bad Request', detail, errors);
}

export function problem(status, title, detail, errors = []) {
  return { status, title, detail, errors };
}

/** Writes `p` as the response; `instance` is the request path. */
export function sendProblem(response, p, instance) {
  const body = { type: 'about:blank', title: p.title, status: p.status, detail: p.detail, instance };
  if (p.errors.length > 0) {
    body.errors = p.errors;
  }
  const json = JSON.stringify(body);
  response.writeHead(p.status, {
    'content-type': PROBLEM_CONTENT_TYPE,
    'content-length': Buffer.byteLength(json),
  });
  response.end(json);
}
