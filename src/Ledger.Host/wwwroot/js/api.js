// The ledger's JSON API. Every call resolves (it never throws for an HTTP or network failure):
// { ok: true, status, data, etag } or { ok: false, status, title, detail, errors, type } for the page
// to explain (status 0: no answer at all).

import { authorizationHeader } from './access.js';

const STATUS_TEXT = {
  0: 'the ledger could not be reached',
  400: 'the request was refused',
  401: 'a token is needed',
  403: 'this token may not read it',
  404: 'not found',
  409: 'the commitment changed meanwhile',
  413: 'the request is too large',
  422: 'the request was refused',
  429: 'too many requests',
  500: 'the ledger failed to answer',
  503: 'the ledger is unavailable',
};

/** GETs JSON from the ledger. */
export async function getJson(path) {
  const headers = { Accept: 'application/json', ...authorizationHeader() };
  let response;
  try {
    response = await fetch(path, { headers, credentials: 'same-origin' });
  } catch {
    return failure(0, null);
  }

  if (!response.ok) {
    return failure(response.status, await readProblem(response));
  }

  return answer(response);
}

/**
 * POSTs a JSON body (an object, or its text) to the ledger with the caller's token.
 * @param {{ ifMatch?: string|number|null, idempotencyKey?: string|null }} options ifMatch: the version the
 *   page showed (sent as If-Match: "<version>"); idempotencyKey: the submission's key, the same on a resend
 * @returns a result as above, with `replayed` true when the ledger answered a resend with its first answer
 */
export async function postJson(path, body, { ifMatch = null, idempotencyKey = null } = {}) {
  const headers = {
    Accept: 'application/json',
    'Content-Type': 'application/json',
    ...authorizationHeader(),
    ...(ifMatch === null || ifMatch === undefined ? {} : { 'If-Match': `"${ifMatch}"` }),
    ...(idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {}),
  };
  let response;
  try {
    response = await fetch(path, {
      method: 'POST', headers, credentials: 'same-origin', body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  } catch {
    return failure(0, null);
  }

  if (!response.ok) {
    return failure(response.status, await readProblem(response), response.headers.get('Retry-After'));
  }
  const result = await answer(response);
  return result.ok ? { ...result, replayed: response.headers.get('Idempotent-Replayed') === 'true' } : result;
}

async function answer(response) {
  try {
    return { ok: true, status: response.status, data: await response.json(), etag: response.headers.get('ETag') };
  } catch {
    return failure(response.status, { title: 'The answer was not valid JSON' });
  }
}

/** GETs several paths at once; resolves to their results in the same order. */
export function getAll(...paths) {
  return Promise.all(paths.map(getJson));
}

async function readProblem(response) {
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('json')) {
    return null;
  }
  try {
    return await response.json();
  } catch {
    return null;
  }
}

function failure(status, problem, retryAfter = null) {
  return {
    ok: false,
    status,
    title: problem?.title ?? STATUS_TEXT[status] ?? `HTTP ${status}`,
    detail: problem?.detail ?? null,
    type: problem?.type ?? null,
    errors: problem?.errors && typeof problem.errors === 'object' ? problem.errors : {},
    retryAfter,
  };
}

/** Builds a query string from an object, leaving out empty values. */
export function query(parameters) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) {
    if (value !== null && value !== undefined && value !== '') {
      search.set(name, String(value));
    }
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** A path segment, escaped. */
export function segment(value) {
  return encodeURIComponent(value);
}
