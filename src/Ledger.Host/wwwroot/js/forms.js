// The forms' shared parts: labelled controls with their hints and errors, the error summary, and one
// submission controller for every write the pages make. A submission carries the version the page
// showed (If-Match) and an Idempotency-Key made once per submission: sending the same entries again
// after no answer (or a double click) reuses it, so the ledger records them at most once. The button is
// disabled while a request is in flight. Refusals are shown field by field from the problem details
// (`errors`), else from their `detail`; a stale page (409) gets the conflict explained and a way to load
// the current version without losing what was typed. Every rule is the ledger's: the form sends what
// was entered and shows what the ledger answers.

import { h, uniqueId } from './dom.js';
import * as format from './format.js';
import { caller } from './access.js';

/** A fresh Idempotency-Key: 128 random bits. */
export function newIdempotencyKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `web-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * A labelled control with an optional hint and a place for its error, in a wrapper named after the
 * request's field (data-field), which is where the ledger's refusal of that field is shown.
 */
export function field({ name, label, hint, optional = false, control, id = uniqueId(`field-${name}`), hideLabel = false }) {
  const hintId = hint ? `${id}-hint` : null;
  control.id = id;
  control.name = control.name || name;
  if (hintId) {
    control.setAttribute('aria-describedby', hintId);
  }
  return h('div', { class: 'field', dataset: { field: name } },
    h('label', { class: ['field__label', hideLabel ? 'visually-hidden' : null], for: id }, label, optional ? h('span', { class: 'field__optional' }, ' (optional)') : null),
    hint ? h('p', { class: 'field__hint', id: hintId }, hint) : null,
    h('p', { class: 'field__error', id: `${id}-error`, hidden: true }),
    control);
}

/** A group of radio buttons in a fieldset whose legend names it; one choice per option ({ value, label, hint }). */
export function choices({ name, legend, options, value = null, id = uniqueId(`field-${name}`) }) {
  return h('fieldset', { class: 'field field--choices', dataset: { field: name }, id },
    h('legend', { class: 'field__label' }, legend),
    h('p', { class: 'field__error', id: `${id}-error`, hidden: true }),
    h('div', { class: 'choices' }, options.map((option) => {
      const inputId = `${id}-${option.value}`;
      return h('div', { class: 'choice' },
        h('input', { type: 'radio', id: inputId, name, value: option.value, checked: option.value === value }),
        h('label', { for: inputId }, option.label),
        option.hint ? h('span', { class: 'choice__hint' }, option.hint) : null);
    })));
}

/** A select of options ({ value, label }); `blank` adds an empty first choice with that text. */
export function select({ options, value = null, blank = null, ...attributes }) {
  return h('select', attributes,
    blank === null ? null : h('option', { value: '' }, blank),
    options.map((option) => h('option', { value: option.value, selected: option.value === value }, option.label)));
}

/**
 * The value of a named control of a form (a radio group's checked value) or of any other element's
 * descendants (a table row), trimmed; null when empty.
 */
export function valueOf(scope, name) {
  const control = scope.elements
    ? scope.elements.namedItem(name)
    : scope.querySelector(`[name="${CSS.escape(name)}"]:not([type=radio]), [name="${CSS.escape(name)}"]:checked`);
  const value = control?.value ?? '';
  return value.trim() === '' ? null : value.trim();
}

/** The first control of a field, for focus and for links from the error summary. */
function controlOf(fieldElement) {
  return fieldElement.matches('input, select, textarea')
    ? fieldElement
    : fieldElement.querySelector('input, select, textarea');
}

/** Shows the ledger's messages on a field and marks its controls invalid. */
export function showError(fieldElement, messages) {
  const error = fieldElement.querySelector('.field__error');
  fieldElement.classList.add('field--invalid');
  if (error) {
    error.textContent = messages.join(' ');
    error.hidden = false;
  }
  for (const control of fieldElement.querySelectorAll('input, select, textarea')) {
    control.setAttribute('aria-invalid', 'true');
    if (error) {
      const described = (control.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
      if (!described.includes(error.id)) {
        control.setAttribute('aria-describedby', [...described, error.id].join(' '));
      }
    }
  }
}

function clearErrors(form) {
  for (const invalid of form.querySelectorAll('.field--invalid')) {
    invalid.classList.remove('field--invalid');
    const error = invalid.querySelector('.field__error');
    if (error) {
      error.hidden = true;
      error.textContent = '';
    }
    for (const control of invalid.querySelectorAll('[aria-invalid]')) {
      control.removeAttribute('aria-invalid');
      const described = (control.getAttribute('aria-describedby') ?? '').split(' ').filter((d) => d && d !== error?.id);
      if (described.length) {
        control.setAttribute('aria-describedby', described.join(' '));
      } else {
        control.removeAttribute('aria-describedby');
      }
    }
  }
}

/** Where a form's refusals are listed, each linking to its field. Empty and hidden until a refusal. */
export function errorSummary() {
  return h('div', { class: 'error-summary', tabindex: '-1', hidden: true, 'aria-labelledby': uniqueId('error-summary') });
}

function fillSummary(summary, { title, lines = [], items = [] }) {
  const titleId = summary.getAttribute('aria-labelledby');
  summary.replaceChildren(
    h('h3', { class: 'error-summary__title', id: titleId }, title),
    ...lines.filter(Boolean).map((line) => h('p', { class: 'error-summary__detail' }, line)),
    items.length === 0 ? '' : h('ul', { class: 'error-summary__list' }, items.map((item) => h('li', { dataset: { key: item.key } },
      item.control
        ? h('a', {
          href: `#${item.control.id}`,
          onclick: (event) => {
            event.preventDefault();
            item.control.focus();
            item.control.closest('.field, tr')?.scrollIntoView({ block: 'center' });
          },
        }, item.text)
        : item.text))));
  summary.hidden = false;
  summary.setAttribute('role', 'alert');
  summary.focus();
}

function hideSummary(summary) {
  summary.hidden = true;
  summary.removeAttribute('role');
  summary.replaceChildren();
}

function signedInAs() {
  const who = caller();
  if (!who) {
    return 'You are not signed in.';
  }
  const role = who.roles.map(format.words).join(', ').toLowerCase() || 'no role';
  return `You are signed in as ${who.user} (${role}${who.organization ? `, ${who.organization}` : ''}).`;
}

/**
 * Explains the ledger's refusal: each `errors` entry on its field (found by `fieldFor(key)`:
 * { element, label } or null) and in the summary with a link to it; otherwise the problem's detail.
 */
function showRefusal(summary, result, fieldFor) {
  const items = [];
  for (const [key, messages] of Object.entries(result.errors ?? {})) {
    const list = [messages].flat().map(String);
    const target = fieldFor(key);
    if (target) {
      showError(target.element, list);
      items.push({ key, text: `${target.label}: ${list.join(' ')}`, control: controlOf(target.element) });
    } else {
      items.push({ key, text: key === 'body' ? list.join(' ') : `${keyLabel(key)}: ${list.join(' ')}` });
    }
  }

  const nothing = 'Nothing was recorded.';
  switch (result.status) {
    case 401:
      fillSummary(summary, {
        title: 'You are not signed in, or your sign-in is no longer accepted',
        lines: [result.detail, `${nothing} Sign in again (at the top right) and send it again; what you typed stays here while you stay on this page.`],
      });
      break;
    case 403:
      fillSummary(summary, {
        title: 'The ledger refused this: you may not record it',
        lines: [result.detail, signedInAs(), nothing],
      });
      break;
    case 429:
      fillSummary(summary, {
        title: 'Too many writes in a short time',
        lines: [result.detail, result.retryAfter ? `Send it again in ${result.retryAfter} seconds.` : null, nothing],
      });
      break;
    default:
      fillSummary(summary, {
        title: items.length ? 'The ledger refused this: correct the fields below' : `The ledger refused this: ${result.title}`,
        lines: items.length ? [`${nothing} Each refusal is shown on its field.`] : [result.detail ?? `${nothing} (HTTP ${result.status})`],
        items,
      });
  }
}

/** A write's answer that says nothing about whether it was recorded: no answer, or a server failure. */
function unanswered(result) {
  return result.status === 0 || result.status >= 500 || (result.status === 409 && result.title === 'Request already recorded');
}

/**
 * Handles a form's submissions. Options:
 *  - button: the submit button; summary: from errorSummary(); live: a role=status element for results
 *  - collect(): the request body (an object) from what was entered
 *  - post(text, idempotencyKey): sends it; resolves to postJson's result
 *  - fieldFor(key): the field an `errors` key names, { element, label }, or null
 *  - recorded(result): after a success, re-reads what the page shows; resolves to the message to announce
 *  - stale(result, panel): a 409 for a stale version; fills `panel` (shown in the form) with the explanation
 */
export function handleSubmissions(form, { button, summary, live, collect, post, fieldFor, recorded, stale }) {
  let inFlight = false;
  let pending = null; // { key, text } of the last submission the ledger has not answered
  const conflict = h('div', { class: 'conflict', hidden: true, tabindex: '-1' });
  summary.after(conflict);

  form.setAttribute('novalidate', '');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (inFlight) {
      return; // a second click while the first is on its way sends nothing
    }
    const text = JSON.stringify(collect());
    if (!pending || pending.text !== text) {
      pending = { key: newIdempotencyKey(), text };
    }
    form.dataset.idempotencyKey = pending.key;

    inFlight = true;
    button.disabled = true;
    form.setAttribute('aria-busy', 'true');
    clearErrors(form);
    hideSummary(summary);
    conflict.hidden = true;
    live.textContent = 'Sending…';
    let result;
    try {
      result = await post(text, pending.key);
    } finally {
      inFlight = false;
      button.disabled = false;
      form.removeAttribute('aria-busy');
      if (document.activeElement === document.body) {
        button.focus(); // a disabled button loses the focus: give it back
      }
    }

    if (result.ok) {
      pending = null;
      delete form.dataset.idempotencyKey;
      live.textContent = await recorded(result);
      form.dataset.outcome = result.replayed ? 'replayed' : 'recorded';
      return;
    }

    live.textContent = '';
    form.dataset.outcome = String(result.status);
    if (unanswered(result)) {
      fillSummary(summary, {
        title: result.status === 0 ? 'No answer from the ledger' : `The ledger did not finish: ${result.title}`,
        lines: ['This submission may or may not have been recorded. Send it again: it carries the same Idempotency-Key, '
          + 'so the ledger records it at most once and answers with the first outcome.'],
      });
      return;
    }

    pending = null; // the ledger answered: entries sent again are a new submission
    delete form.dataset.idempotencyKey;
    if (result.status === 409 || result.status === 412) {
      stale(result, conflict);
      conflict.hidden = false;
      conflict.focus();
      return;
    }
    showRefusal(summary, result, fieldFor);
  });
}

/**
 * Fills a conflict panel: what happened, and a button that loads the current version without touching
 * the form. `reload()` re-reads and resolves to a sentence saying what the page now shows.
 */
export function explainConflict(panel, { title, lines, reload }) {
  const outcome = h('p', { class: 'conflict__outcome', role: 'status' });
  const button = h('button', {
    type: 'button',
    class: 'button',
    dataset: { action: 'reload' },
    onclick: async () => {
      button.disabled = true;
      outcome.textContent = 'Loading the current version…';
      try {
        outcome.textContent = await reload();
      } finally {
        button.disabled = false;
      }
    },
  }, 'Load the current version');
  panel.replaceChildren(
    h('h3', { class: 'conflict__title' }, title),
    ...lines.filter(Boolean).map((line) => h('p', {}, line)),
    h('p', {}, 'Load the current version to see what changed; what you typed stays in the form. Then send it again if it still applies.'),
    button,
    outcome);
  panel.setAttribute('role', 'alert');
}

/**
 * A write form's frame: its heading, a lead, the error summary, the fields, the submit button and the
 * live region that announces the outcome. Returns the parts handleSubmissions needs.
 */
export function writeForm({ id, title, lead, fields, submit }) {
  const titleId = `${id}-title`;
  const summary = errorSummary();
  const button = h('button', { type: 'submit', class: 'button button--primary' }, submit);
  const live = h('p', { class: 'write-form__result', role: 'status', 'aria-live': 'polite' });
  const form = h('form', { class: 'write-form', id, 'aria-labelledby': titleId },
    h('h3', { class: 'write-form__title', id: titleId }, title),
    lead ? h('p', { class: 'write-form__lead' }, lead) : null,
    summary,
    fields,
    h('div', { class: 'write-form__actions' }, button),
    live);
  return { form, button, summary, live };
}

/** Finds the field an `errors` key names by its data-field, with its label as the summary shows it. */
export function fieldByName(form, key) {
  const element = form.querySelector(`[data-field="${CSS.escape(key)}"]`);
  if (!element) {
    return null;
  }
  const label = element.querySelector('.field__label')?.firstChild?.textContent ?? key;
  return { element, label: label.trim() };
}

/** An `errors` key the form has no field for, in words: "status" → "Status". */
export function keyLabel(key) {
  return format.words(key);
}
