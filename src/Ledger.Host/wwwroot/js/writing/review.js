// The review decision form of a commitment's page: for the secretariat
// (POST /api/commitments/{code}/reviews, If-Match: the version shown).

import { postJson, segment } from '../api.js';
import { h } from '../dom.js';
import { choices, field, fieldByName, handleSubmissions, select, valueOf, writeForm } from '../forms.js';
import * as format from '../format.js';
import { explainStale, recordedMessage } from './outcome.js';

/** Hints beside the ratings and decisions whose rule is not obvious from their name. */
const HINTS = {
  'completed-verified': 'only for a commitment reported completed',
  close: 'no next review',
  'carry-forward': 'the work continues under a later meeting',
};

/**
 * The meetings a review of `commitment` may be decided at (its own meeting or a later one), and the
 * one to propose: the meeting that reviews the commitment's meeting, else its own.
 */
export function reviewMeetings(meetings, commitment) {
  const own = meetings.find((m) => m.code === commitment.meeting);
  const since = own?.opens?.date ?? '';
  const eligible = meetings.filter((m) => (m.opens?.date ?? '') >= since);
  const proposed = meetings.find((m) => m.reviews === commitment.meeting) ?? own;
  return { eligible, proposed: proposed?.code ?? commitment.meeting };
}

/**
 * @param {object} page as for progressForm, plus meetings: the meetings (GET /api/meetings)
 * @param {object} terms the vocabulary (GET /api/vocabulary)
 */
export function reviewForm(page, terms) {
  const c = page.commitment();
  const { eligible, proposed } = reviewMeetings(page.meetings, c);
  const meeting = select({ options: eligible.map((m) => ({ value: m.code, label: `${m.code} — ${m.title}` })), value: proposed });
  const remarks = h('textarea', { rows: '3' });
  const nextReviewDue = h('input', { type: 'date', min: page.today });

  const { form, button, summary, live } = writeForm({
    id: 'review-form',
    title: 'Record a review decision',
    lead: `The secretariat's decision on ${c.id} at a meeting that reviews it. It is recorded as one more event; earlier decisions stay in the history.`,
    fields: [
      field({ name: 'meeting', label: 'Decided at', hint: 'The meeting whose review this is: the commitment\'s own or a later one.', control: meeting }),
      choices({
        name: 'rating',
        legend: 'Rating',
        options: terms.ratings.map((r) => ({ value: r, label: format.words(r), hint: HINTS[r] })),
      }),
      choices({
        name: 'decision',
        legend: 'Decision',
        options: terms.decisions.map((d) => ({ value: d, label: format.words(d), hint: HINTS[d] })),
      }),
      field({ name: 'remarks', label: 'Remarks', optional: true, control: remarks }),
      field({ name: 'nextReviewDue', label: 'Next review due', hint: 'After today.', optional: true, control: nextReviewDue }),
    ],
    submit: 'Record the review decision',
  });
  form.dataset.version = String(c.version);

  handleSubmissions(form, {
    button,
    summary,
    live,
    collect: () => ({
      meeting: valueOf(form, 'meeting'),
      rating: valueOf(form, 'rating'),
      decision: valueOf(form, 'decision'),
      remarks: valueOf(form, 'remarks'),
      nextReviewDue: valueOf(form, 'nextReviewDue'),
    }),
    post: (text, idempotencyKey) => postJson(`/api/commitments/${segment(c.id)}/reviews`, text, { ifMatch: page.commitment().version, idempotencyKey }),
    fieldFor: (key) => fieldByName(form, key),
    recorded: async (result) => {
      await page.refresh();
      form.reset();
      meeting.value = proposed;
      return recordedMessage(result);
    },
    stale: (result, panel) => explainStale(panel, page, result),
  });

  return { form, update: (current) => { form.dataset.version = String(current.version); } };
}
