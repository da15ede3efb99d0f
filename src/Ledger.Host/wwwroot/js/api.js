// Reading the ledger's JSON API. Every call resolves (it never throws for an HTTP or network
// failure): { ok: true, data } or { ok: false, status, title, detail } for the page to explain.

import { authorizationHeader } from './access.js';

const STATUS_TEXT = {
  0: 'the ledger could not be reached',
  400: 'the request was refused',
  401: 'a token is needed',
  403: 'this token may not read it',
  404: 'not found',
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

  try {
    return { ok: true, status: response.status, data: await response.json() };
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

function failure(status, problem) {
  return {
    ok: false,
    status,
    title: problem?.title ?? STATUS_TEXT[status] ?? `HTTP ${status}`,
    detail: problem?.detail ?? null,
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
