// "/commitments/{code}": a commitment's current state, what the source says in its own words,
// what the ledger inferred, its timeline, and (for auditors) its full event history with hashes. For
// the secretariat and the focal points of its lead organizations, the forms that record a review
// decision or a progress report; after a write the page reads the commitment again.

import { caller, currentSession, hasRole, mayRecordReviews, mayReportProgress } from '../access.js';
import { getAll, getJson, segment } from '../api.js';
import {
  basisTag, countryLinks, inferredMark, notice, organizationLinks, pageHeader, section, setTitle, statusBadge, unavailable,
} from '../components.js';
import { h, replaceChildren } from '../dom.js';
import * as format from '../format.js';
import { statusLabel } from '../status.js';
import { vocabulary } from '../vocabulary.js';
import { progressForm } from '../writing/progress.js';
import { reviewForm } from '../writing/review.js';

export async function render(main, { code }) {
  setTitle(code);
  const [result, meetings] = await getAll(`/api/commitments/${segment(code)}`, '/api/meetings');
  if (!result.ok) {
    replaceChildren(main, pageHeader({ eyebrow: 'Commitment', title: code }), unavailable(`Commitment ${code}`, result));
    return;
  }

  const meetingList = meetings.ok ? meetings.data.items ?? [] : [];
  const sessionTitles = new Map(meetingList.flatMap((m) => (m.sessions ?? []).map((s) => [s.number, s.title])));
  let current = result.data;
  setTitle(current.id, current.title);

  // What a write changes is read again and redrawn in place; the forms stay, with what was typed in them.
  const readSlot = h('div', { class: 'commitment-read' });
  const historySlot = h('div', { class: 'commitment-history' });
  const forms = [];
  const draw = async () => {
    replaceChildren(readSlot, readParts(current, meetingList, sessionTitles));
    replaceChildren(historySlot, await history(current));
  };
  const page = {
    commitment: () => current,
    meetings: meetingList,
    today: (currentSession()?.now ?? new Date().toISOString()).slice(0, 10),
    refresh: async () => {
      const again = await getJson(`/api/commitments/${segment(code)}`);
      if (!again.ok) {
        return null;
      }
      current = again.data;
      await draw();
      for (const form of forms) {
        form.update(current);
      }
      return current;
    },
  };

  await draw();
  replaceChildren(main, readSlot, await writing(page, forms), historySlot);
}

function readParts(c, meetingList, sessionTitles) {
  const meeting = meetingList.find((m) => m.code === c.meeting);
  return [
    pageHeader({
      eyebrow: h('span', {}, `Commitment ${c.id} · `, h('a', { href: `/meetings/${segment(c.meeting)}` }, meeting ? `${c.meeting} — ${meeting.title}` : c.meeting)),
      title: c.title,
      extra: h('p', { class: 'page-header__badges', dataset: { version: String(c.version) } },
        statusBadge(c.status, { inferred: c.inferred?.status }), ' ', basisTag(c.basis), ' ',
        h('span', { class: 'kind' }, format.words(c.kind)),
        c.inferred?.title ? inferredMark(c.inferred.title, 'title inferred') : null),
    }),
    h('div', { class: 'columns' },
      h('div', { class: 'columns__main' },
        section('facts', 'Facts', facts(c, sessionTitles)),
        c.source ? section('source', 'In the source\'s words', sourceQuote(c.source)) : null,
        inferredReadings(c.inferred)),
      h('div', { class: 'columns__side' },
        section('timeline', 'Timeline', timeline(c)))),
  ];
}

/**
 * The forms the caller may use: a review decision for the secretariat, a progress report for the
 * secretariat and the focal points of a lead organization. Nobody else gets a form (the ledger would
 * refuse them anyway); a focal point of another organization is told why.
 */
async function writing(page, forms) {
  const c = page.commitment();
  const reviews = mayRecordReviews();
  const progress = mayReportProgress(c);
  if (!reviews && !progress) {
    const who = caller();
    return hasRole('focal-point')
      ? section('record', 'Record in the ledger', notice('info',
        `You are signed in as a focal point of ${who.organization ?? 'no organization'}. ${c.id} is led by ${c.leads.join(' and ')}: `
        + 'only their focal points, or the secretariat, may report progress on it.'))
      : null;
  }

  const terms = await vocabulary();
  if (!terms.ok) {
    return section('record', 'Record', unavailable('The ledger\'s vocabulary (statuses, ratings, decisions)', terms));
  }
  if (progress) {
    forms.push(progressForm(page, terms.data));
  }
  if (reviews) {
    forms.push(reviewForm(page, terms.data));
  }
  return section('record', 'Record in the ledger',
    h('p', { class: 'section__lead' }, 'Each form sends the version of the commitment this page shows; if someone records a change '
      + 'meanwhile, the ledger refuses it and the form explains. A submission sent again is recorded at most once.'),
    h('div', { class: 'write-forms' }, forms.map((f) => f.form)));
}

function facts(c, sessionTitles) {
  const inferred = c.inferred ?? {};
  const mark = (field) => (inferred[field] ? [' ', inferredMark(inferred[field])] : null);
  const none = (text = 'none') => h('span', { class: 'muted' }, text);
  const rows = [
    ['Status', [statusBadge(c.status), mark('status')]],
    ['Kind', [format.words(c.kind), mark('kind')]],
    ['Working session', [c.workingSession === null || c.workingSession === undefined
      ? none('not assigned')
      : format.sessionName({ number: c.workingSession, title: sessionTitles.get(c.workingSession) }), mark('workingSession')]],
    ['Topic', [c.topic ?? none(), mark('topic')]],
    ['Leads', [organizationLinks(c.leads), mark('leads')]],
    ['Partners', [organizationLinks(c.partners), mark('partners')]],
    ['Countries', [
      c.countries?.length ? h('span', { class: 'countries', dataset: { count: String(c.countries.length) } },
        `${format.count(c.countries.length, 'country', 'countries')}: `, countryLinks(c.countries)) : none(),
      mark('countries')]],
    ['Frameworks', [c.frameworks?.length ? c.frameworks.join(', ') : none(), mark('frameworks')]],
    ['Due', [c.dueDate ? format.localDate(c.dueDate) : none('no due date set'), mark('dueDate')]],
    ['Pledged', [format.factDate(c.pledgedOn), mark('pledgedOn')]],
    ['Basis', [basisTag(c.basis), ' ', h('span', { class: 'muted' }, format.BASIS[c.basis]?.explain ?? '')]],
    c.carriedForwardTo ? ['Carried forward to', h('a', { href: `/meetings/${segment(c.carriedForwardTo)}` }, c.carriedForwardTo)] : null,
    c.withdrawalReason ? ['Withdrawal reason', c.withdrawalReason] : null,
    ['In the ledger', `recorded ${format.instant(c.recordedAt)}; last changed ${format.instant(c.lastChangedAt)} by ${actor(c.lastChangedBy)}; version ${c.version}`],
  ].filter(Boolean);
  return h('dl', { class: 'facts' }, rows.map(([term, value]) => h('div', { class: 'facts__row' }, h('dt', {}, term), h('dd', {}, value))));
}

function actor(value) {
  if (!value) {
    return 'unknown';
  }
  return value.organization ? `${value.user} (${value.organization})` : value.user;
}

function sourceQuote(source) {
  return h('figure', { class: 'quote' },
    h('blockquote', { class: 'quote__text' }, source.text ?? ''),
    h('figcaption', { class: 'quote__cite' },
      [source.by, format.words(source.fact)].filter(Boolean).join(' — '),
      source.source ? [h('br'), h('cite', {}, source.source)] : null));
}

function inferredReadings(inferred) {
  const entries = Object.entries(inferred ?? {});
  if (entries.length === 0) {
    return null;
  }
  return section('inferred', 'Inferred by the ledger',
    h('div', { class: 'inferred' },
      h('p', {}, 'The source does not state these; the ledger reads them from it. Check them against the source before relying on them.'),
      h('dl', { class: 'inferred__list' },
        entries.map(([field, reason]) => h('div', { class: 'inferred__row', dataset: { field } },
          h('dt', {}, format.words(field)), h('dd', {}, reason))))));
}

/** What the current state tells about the commitment's course, oldest first. */
function timeline(c) {
  const entries = [];
  entries.push({
    when: format.factDate(c.pledgedOn), sort: c.pledgedOn?.date, title: `Pledged at ${c.meeting}`,
    body: c.leads?.length ? `Led by ${c.leads.join(', ')}.` : '',
  });
  if (c.latestProgress) {
    const p = c.latestProgress;
    entries.push({
      when: format.factDate(p.asOf), sort: p.asOf?.date,
      title: `Progress reported: ${statusLabel(p.status).toLowerCase()}${p.percentComplete === null || p.percentComplete === undefined ? '' : `, ${p.percentComplete}% complete`}`,
      body: p.narrative, by: `Recorded ${format.instant(p.recordedAt)} by ${actor(p.reportedBy)}`,
      list: (p.indicators ?? []).filter((i) => i.name !== 'completion').map(format.indicator),
    });
  }
  if (c.latestReview) {
    const r = c.latestReview;
    entries.push({
      when: format.instant(r.recordedAt), sort: r.recordedAt?.slice(0, 10),
      title: `Review at ${r.meeting}: ${format.words(r.rating).toLowerCase()}, ${format.words(r.decision).toLowerCase()}`,
      body: [r.remarks, r.nextReviewDue ? `Next review due ${format.localDate(r.nextReviewDue)}.` : null].filter(Boolean).join(' '),
      by: `Decided by ${actor(r.decidedBy)}`,
    });
  }
  if (c.status === 'carried-forward' || c.status === 'withdrawn') {
    entries.push({
      when: format.instant(c.lastChangedAt), sort: c.lastChangedAt?.slice(0, 10),
      title: c.status === 'withdrawn' ? 'Withdrawn' : `Carried forward to ${c.carriedForwardTo}`,
      body: c.withdrawalReason ?? '', by: `By ${actor(c.lastChangedBy)}`,
    });
  }
  entries.sort((a, b) => String(a.sort).localeCompare(String(b.sort)));

  return [
    h('ol', { class: 'timeline' }, entries.map((entry) => h('li', { class: 'timeline__entry' },
      h('p', { class: 'timeline__when' }, entry.when),
      h('p', { class: 'timeline__title' }, entry.title),
      entry.body ? h('p', { class: 'timeline__body' }, entry.body) : null,
      entry.list?.length ? h('ul', { class: 'timeline__indicators' }, entry.list.map((line) => h('li', {}, line))) : null,
      entry.by ? h('p', { class: 'timeline__by' }, entry.by) : null))),
    h('p', { class: 'muted small' }, `From the commitment's current state (version ${c.version}): the latest report and review only. `
      + (hasRole('auditor')
        ? 'Every event, with who recorded it, when, and its hash, is in the event history below.'
        : 'Every event, with who recorded it, when, and its hash, is in the event history that auditors can read.')),
  ];
}

/** The full event history: only asked for with an auditor's token; left out when it cannot be read. */
async function history(c) {
  if (!hasRole('auditor')) {
    return null;
  }
  const result = await getJson(`/api/commitments/${segment(c.id)}/history`);
  if (!result.ok) {
    // 401/403: the token is not (or no longer) an auditor's; 404: this ledger has no history route.
    return [401, 403, 404].includes(result.status) ? null : section('history', 'Event history', unavailable('The event history', result));
  }
  const events = Array.isArray(result.data) ? result.data : result.data.items ?? result.data.events ?? [];
  return section('history', 'Event history',
    h('p', { class: 'section__lead' }, `${format.count(events.length, 'event')} of this commitment's stream, in the order they were recorded. `
      + 'Each hash seals its event together with the one before it.'),
    events.length === 0 ? null : h('div', { class: 'table-scroll' },
      h('table', { class: 'data history' },
        h('caption', { class: 'visually-hidden' }, `Events of ${c.id}`),
        h('thead', {}, h('tr', {},
          ['Version', 'No.', 'Event', 'Effective', 'Recorded', 'By', 'Hash', 'Details'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, events.map((e) => h('tr', { dataset: { version: String(e.version) } },
          h('td', { class: 'num' }, format.number(e.version)),
          h('td', { class: 'num' }, format.number(e.sequence)),
          h('td', {}, format.eventType(e.type), e.readAs
            ? h('span', { class: 'muted small history__version' }, ` (stored as ${e.type}, read as ${e.readAs.type})`) : null),
          h('td', { class: 'nowrap' }, effective(e.effectiveAt)),
          h('td', { class: 'nowrap' }, format.instant(e.recordedAt)),
          h('td', {}, [e.user, e.organization ? `(${e.organization})` : null].filter(Boolean).join(' ')),
          h('td', {}, e.hash ? h('code', { class: 'hash', title: e.hash }, `${String(e.hash).slice(0, 12)}…`) : ''),
          h('td', {}, h('details', {}, h('summary', {}, 'show'), h('pre', { class: 'json' }, JSON.stringify({
            hash: e.hash, correlationId: e.correlationId, causationId: e.causationId,
            callerReference: e.callerReference, idempotencyKey: e.idempotencyKey, data: e.data, readAs: e.readAs ?? undefined,
          }, null, 2))))))))));
}

function effective(value) {
  if (!value) {
    return '';
  }
  if (typeof value === 'object') {
    return format.factDate(value);
  }
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? format.localDate(value) : format.instant(value);
}
