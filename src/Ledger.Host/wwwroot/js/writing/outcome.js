// What a commitment's forms say after the ledger answered: what was recorded, or why the page was
// stale and how to load the current version.

import { explainConflict } from '../forms.js';
import * as format from '../format.js';

function actor(value) {
  if (!value) {
    return 'unknown';
  }
  return value.organization ? `${value.user} (${value.organization})` : value.user;
}

/** The announcement of a recorded write (a WriteResult), or of a resend the ledger answered with its first answer. */
export function recordedMessage(result) {
  const { code, version, events = [], recordedAt } = result.data;
  if (result.replayed) {
    return `Already recorded: the ledger had received this submission (the same Idempotency-Key) and recorded it once; `
      + `nothing more was recorded. ${code} is at version ${version}.`;
  }
  const what = events.map(format.eventType).join(', ').toLowerCase() || 'the change';
  return `Recorded: ${what} on ${code}, now at version ${version} (${format.instant(recordedAt)}). The page shows it as the ledger now reads it.`;
}

/** A 409 on a commitment's form: the page's version is stale. */
export function explainStale(panel, page, result) {
  const shown = page.commitment();
  explainConflict(panel, {
    title: 'This commitment changed after this page was read',
    lines: [`The page showed version ${shown.version}; someone has recorded a change since. Nothing of yours was recorded.`,
      result.detail ? `The ledger said: ${result.detail}` : null],
    reload: async () => {
      const now = await page.refresh();
      if (!now) {
        return 'The current version could not be read. Reload the page (what you typed would be lost: copy it first).';
      }
      return `Loaded version ${now.version}, last changed ${format.instant(now.lastChangedAt)} by ${actor(now.lastChangedBy)}. `
        + 'Your entries are kept: check them against what changed, then send them again.';
    },
  });
}
