// The values the ledger's writes accept, as the API names them (GET /api/vocabulary, read from the
// domain): statuses in lifecycle order with their allowed next statuses, review ratings and
// decisions. The forms offer these and nothing else; the ledger still decides every request.

import { getJson } from './api.js';

let loading = null;

/** The vocabulary, read once per page: a result of getJson. */
export function vocabulary() {
  loading ??= getJson('/api/vocabulary');
  return loading;
}

/**
 * The statuses a progress report may set on a commitment that is `current`: the current one (a report
 * that keeps the status) and those it may move to, in lifecycle order. Empty for a final status.
 */
export function reportableStatuses(terms, current) {
  const now = terms.statuses.find((s) => s.name === current);
  if (!now || now.final) {
    return [];
  }
  return terms.statuses
    .filter((s) => s.reportable && (s.name === current || now.next.includes(s.name)))
    .map((s) => s.name);
}
