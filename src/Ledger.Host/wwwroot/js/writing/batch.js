// A meeting's batch of review decisions, on the meeting's page: one row per commitment of the meeting
// still awaiting a review decision; the rows filled in are sent together
// (POST /api/meetings/{decided at}/reviews), each with the version the page showed, and recorded all
// together or not at all. A refused row shows its refusal on its own fields.

import { postJson, segment } from '../api.js';
import { commitmentLink } from '../components.js';
import { h, uniqueId } from '../dom.js';
import { explainConflict, field, handleSubmissions, select, valueOf, writeForm } from '../forms.js';
import * as format from '../format.js';
import { reviewMeetings } from './review.js';

const COLUMNS = [
  { name: 'rating', label: 'Rating' },
  { name: 'decision', label: 'Decision' },
  { name: 'remarks', label: 'Remarks' },
  { name: 'nextReviewDue', label: 'Next review due' },
];

/** The commitments awaiting a review decision (the dashboards' rule: no decision yet, not withdrawn). */
export function awaitingReview(items) {
  return items.filter((c) => !c.latestReview && c.status !== 'withdrawn');
}

function rowControls(terms, today) {
  return {
    rating: select({ options: terms.ratings.map((r) => ({ value: r, label: format.words(r) })), blank: '—' }),
    decision: select({ options: terms.decisions.map((d) => ({ value: d, label: format.words(d) })), blank: '—' }),
    remarks: h('input', { type: 'text', class: 'input--wide', autocomplete: 'off' }),
    nextReviewDue: h('input', { type: 'date', min: today }),
  };
}

function row(commitment, terms, today) {
  const controls = rowControls(terms, today);
  const id = uniqueId(`batch-${commitment.id}`);
  return h('tr', { dataset: { code: commitment.id, version: String(commitment.version) } },
    h('th', { scope: 'row', class: 'batch__commitment' },
      h('div', { class: 'field', dataset: { field: 'commitment' } },
        commitmentLink(commitment.id),
        h('span', { class: 'commitment-title' }, commitment.title),
        h('p', { class: 'field__error', id: `${id}-commitment-error`, hidden: true }))),
    COLUMNS.map((column) => h('td', { dataset: { col: column.name } },
      field({
        name: column.name, label: `${column.label} for ${commitment.id}`, control: controls[column.name], id: `${id}-${column.name}`, hideLabel: true,
      }))));
}

function filled(tr) {
  return COLUMNS.some((column) => valueOf(tr, column.name) !== null);
}

/**
 * @param {object} page { meeting, meetings, today, items(): the meeting's commitments as last read,
 *   refresh(): re-reads the page's figures and commitments; resolves to the commitments, or null }
 * @param {object} terms the vocabulary
 */
export function batchForm(page, terms) {
  const { eligible, proposed } = reviewMeetings(page.meetings, { meeting: page.meeting.code });
  const decidedAt = select({ options: eligible.map((m) => ({ value: m.code, label: `${m.code} — ${m.title}` })), value: proposed });
  const tbody = h('tbody');
  const empty = h('p', { class: 'notice notice--info', hidden: true }, 'Every commitment of this meeting has a review decision.');
  const table = h('div', { class: 'table-scroll' },
    h('table', { class: 'data batch' },
      h('caption', { class: 'visually-hidden' }, `Commitments of ${page.meeting.code} awaiting a review decision`),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Commitment'), COLUMNS.map((c) => h('th', { scope: 'col' }, c.label)))),
      tbody));

  const { form, button, summary, live } = writeForm({
    id: 'batch-review-form',
    title: 'Decisions on the commitments awaiting review',
    lead: `One row per commitment of ${page.meeting.code} still awaiting a review decision. Fill in the rows to decide and leave the others blank: `
      + 'the rows filled in are recorded together, or none of them is.',
    fields: [
      field({ name: 'meeting', label: 'Decided at', hint: 'The meeting whose decisions these are: this one or a later one.', control: decidedAt }),
      empty,
      table,
    ],
    submit: 'Record these decisions',
  });

  let sent = [];
  const rows = () => [...tbody.querySelectorAll('tr[data-code]')];
  const rebuild = (items) => {
    const waiting = awaitingReview(items);
    tbody.replaceChildren(...waiting.map((c) => row(c, terms, page.today)));
    empty.hidden = waiting.length > 0;
    table.hidden = waiting.length === 0;
    form.querySelector('.write-form__actions').hidden = waiting.length === 0;
  };
  rebuild(page.items());

  handleSubmissions(form, {
    button,
    summary,
    live,
    collect: () => {
      for (const tr of rows()) {
        tr.classList.remove('row--invalid');
      }
      sent = rows().filter(filled);
      return {
        reviews: sent.map((tr) => ({
          commitment: tr.dataset.code,
          ...Object.fromEntries(COLUMNS.map((column) => [column.name, valueOf(tr, column.name)])),
          expectedVersion: Number(tr.dataset.version),
        })),
      };
    },
    post: (text, idempotencyKey) => postJson(`/api/meetings/${segment(valueOf(form, 'meeting') ?? page.meeting.code)}/reviews`, text, { idempotencyKey }),
    fieldFor: (key) => {
      const match = /^reviews\[(\d+)\]\.(.+)$/.exec(key);
      if (!match) {
        return key === 'meeting' ? { element: decidedAt.closest('.field'), label: 'Decided at' } : null;
      }
      const tr = sent[Number(match[1])];
      if (!tr) {
        return null;
      }
      tr.classList.add('row--invalid');
      const column = COLUMNS.find((c) => c.name === match[2]);
      return column
        ? { element: tr.querySelector(`td[data-col="${column.name}"] .field`), label: `${tr.dataset.code} — ${column.label}` }
        : { element: tr.querySelector('[data-field="commitment"]'), label: `${tr.dataset.code} — ${format.words(match[2])}` };
    },
    recorded: async (result) => {
      const items = await page.refresh();
      if (items) {
        rebuild(items);
      }
      const codes = (result.data.recorded ?? []).map((r) => r.code);
      return result.replayed
        ? `Already recorded: the ledger had received this batch (the same Idempotency-Key) and recorded it once; nothing more was recorded.`
        : `Recorded ${format.count(codes.length, 'review decision')} at ${result.data.meeting}, together: ${codes.join(', ')}.`;
    },
    stale: (result, panel) => explainConflict(panel, {
      title: 'A commitment of this batch changed after this page was read',
      lines: ['Nothing was recorded: the batch is recorded whole or not at all.', result.detail ? `The ledger said: ${result.detail}` : null],
      reload: async () => {
        const items = await page.refresh();
        if (!items) {
          return 'The current versions could not be read. Reload the page (what you typed would be lost: copy it first).';
        }
        const versions = new Map(items.map((c) => [c.id, c]));
        const changed = [];
        for (const tr of rows()) {
          const now = versions.get(tr.dataset.code);
          if (now && String(now.version) !== tr.dataset.version) {
            changed.push(tr.dataset.code);
            tr.dataset.version = String(now.version);
          }
        }
        return `Loaded the current versions${changed.length ? `: ${changed.join(', ')} changed` : ''}. `
          + 'Your entries are kept: check them against the commitments, then send them again.';
      },
    }),
  });

  tbody.addEventListener('change', (event) => event.target.closest('tr')?.classList.remove('row--invalid'));
  return { form };
}
