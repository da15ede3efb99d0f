// The progress report form of a commitment's page: for the secretariat and the focal points of its
// lead organizations (POST /api/commitments/{code}/progress, If-Match: the version shown).

import { postJson, segment } from '../api.js';
import { h } from '../dom.js';
import * as format from '../format.js';
import { field, fieldByName, handleSubmissions, select, valueOf, writeForm } from '../forms.js';
import { statusLabel } from '../status.js';
import { reportableStatuses } from '../vocabulary.js';
import { explainStale, recordedMessage } from './outcome.js';

/**
 * @param {object} page { commitment(): the commitment as last read, today: the ledger's date (yyyy-MM-dd),
 *   refresh(): re-reads the commitment and redraws the page; resolves to the commitment, or null }
 * @param {object} terms the vocabulary (GET /api/vocabulary)
 */
export function progressForm(page, terms) {
  const c = page.commitment();
  const status = select({ options: [] });
  const narrative = h('textarea', { rows: '4' });
  const percent = h('input', { type: 'number', min: '0', max: '100', step: '1', inputmode: 'numeric', class: 'input--short' });
  const asOf = h('input', { type: 'date', value: page.today, max: page.today });
  const number = () => h('input', { type: 'number', step: 'any', inputmode: 'decimal', class: 'input--short' });
  const indicator = {
    name: h('input', { type: 'text', maxlength: '100' }),
    measure: select({ options: (terms.measures ?? []).map((m) => ({ value: m, label: format.words(m) })), value: 'unit' }),
    baseline: number(),
    target: number(),
    actual: number(),
    comment: h('textarea', { rows: '2' }),
  };
  const at = (key) => `indicators[0].${key}`;

  const { form, button, summary, live } = writeForm({
    id: 'progress-form',
    title: 'Report progress',
    lead: `A report of ${c.leads.join(' and ')} (or the secretariat) on where ${c.id} stands. It is recorded as one more event; nothing is overwritten.`,
    fields: [
      field({ name: 'status', label: 'Status', hint: 'The status this report records: the current one, or one it may move to.', control: status }),
      field({ name: 'narrative', label: 'What happened', hint: 'The report in a few sentences, as it will be kept in the ledger.', control: narrative }),
      field({ name: 'percentComplete', label: 'Percent complete', hint: 'A whole number from 0 to 100.', optional: true, control: percent }),
      field({ name: 'asOf', label: 'As of', hint: 'The date the report describes: today or earlier.', control: asOf }),
      h('fieldset', { class: 'field-group', dataset: { field: 'indicators' } },
        h('legend', { class: 'field__label' }, 'Result indicator', h('span', { class: 'field__optional' }, ' (optional)')),
        h('p', { class: 'field__hint' }, 'A measured result, as IATI reports them: what is measured, how, and the baseline, target and actual values. '
          + 'A qualitative indicator takes a comment instead of numbers.'),
        h('p', { class: 'field__error', hidden: true }),
        field({ name: at('name'), label: 'Indicator', hint: 'For example: farmers trained.', control: indicator.name }),
        field({ name: at('measure'), label: 'Measure', control: indicator.measure }),
        field({ name: at('baseline'), label: 'Baseline', optional: true, control: indicator.baseline }),
        field({ name: at('target'), label: 'Target', optional: true, control: indicator.target }),
        field({ name: at('actual'), label: 'Actual', control: indicator.actual }),
        field({ name: at('comment'), label: 'Comment', optional: true, control: indicator.comment })),
    ],
    submit: 'Report progress',
  });

  const final = h('p', { class: 'notice notice--info', hidden: true });
  form.append(final);

  function offerStatuses(current) {
    const chosen = status.value || current.status;
    const offered = reportableStatuses(terms, current.status);
    // A status a report cannot keep (proposed) is not preselected as another: the reporter chooses.
    status.replaceChildren(
      offered.includes(chosen) ? '' : h('option', { value: '' }, 'Choose the status'),
      ...offered.map((name) => h('option', { value: name, selected: name === chosen }, statusLabel(name))));
    form.dataset.version = String(current.version);

    // A final status takes no more reports: say so instead of offering a form the ledger would refuse.
    const isFinal = offered.length === 0;
    for (const part of form.querySelectorAll('.field, .write-form__actions')) {
      part.hidden = isFinal;
    }
    final.hidden = !isFinal;
    final.textContent = isFinal ? `${current.id} is ${statusLabel(current.status).toLowerCase()}, which is final: it takes no more progress reports.` : '';
  }
  offerStatuses(c);

  /** Whether the reporter filled in the indicator (its measure alone, preselected, is not one). */
  function indicatorGiven() {
    return ['name', 'baseline', 'target', 'actual', 'comment'].some((key) => valueOf(form, at(key)) !== null);
  }

  /** A number the ledger checks (a text that is none is sent as it is, to be refused by name). */
  function numberOf(name) {
    const text = valueOf(form, name);
    return text === null ? null : Number.isFinite(Number(text)) ? Number(text) : text;
  }

  handleSubmissions(form, {
    button,
    summary,
    live,
    collect: () => ({
      status: valueOf(form, 'status'),
      narrative: valueOf(form, 'narrative'),
      percentComplete: valueOf(form, 'percentComplete') === null ? null : Number(valueOf(form, 'percentComplete')),
      asOf: valueOf(form, 'asOf'),
      indicators: indicatorGiven() ? [{
        name: valueOf(form, at('name')),
        measure: valueOf(form, at('measure')),
        baseline: numberOf(at('baseline')),
        target: numberOf(at('target')),
        actual: numberOf(at('actual')),
        comment: valueOf(form, at('comment')),
      }] : undefined,
    }),
    post: (text, idempotencyKey) => postJson(`/api/commitments/${segment(c.id)}/progress`, text, { ifMatch: page.commitment().version, idempotencyKey }),
    fieldFor: (key) => fieldByName(form, key),
    recorded: async (result) => {
      await page.refresh();
      narrative.value = '';
      percent.value = '';
      for (const key of ['name', 'baseline', 'target', 'actual', 'comment']) {
        indicator[key].value = '';
      }
      return recordedMessage(result);
    },
    stale: (result, panel) => explainStale(panel, page, result),
  });

  return { form, update: offerStatuses };
}
