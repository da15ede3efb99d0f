// Pieces every page shares: headers, notices, freshness, status badges, commitment tables and the
// meeting board.

import { hasRole } from './access.js';
import { inForceText } from './business-day.js';
import { statusChart } from './chart.js';
import { countryName } from './countries.js';
import { h } from './dom.js';
import * as format from './format.js';
import { segment } from './api.js';
import { kebabKeys, statusClass, statusLabel } from './status.js';

const APP_NAME = 'UN–OIC Commitment Ledger';

export function setTitle(...parts) {
  document.title = [...parts.filter(Boolean), APP_NAME].join(' — ');
}

/** The page's heading block. */
export function pageHeader({ eyebrow, title, subtitle, extra }) {
  return h('header', { class: 'page-header' },
    eyebrow ? h('p', { class: 'page-header__eyebrow' }, eyebrow) : null,
    h('h1', { class: 'page-header__title' }, title),
    subtitle ? h('p', { class: 'page-header__subtitle' }, subtitle) : null,
    extra ?? null);
}

export function section(id, title, ...children) {
  return h('section', { class: 'section', id, 'aria-labelledby': `${id}-title` },
    h('h2', { class: 'section__title', id: `${id}-title` }, title),
    ...children);
}

export function notice(kind, ...children) {
  return h('p', { class: `notice notice--${kind}`, role: kind === 'error' ? 'alert' : null }, ...children);
}

/**
 * The page's `?asOf=` instant, honoured only for auditors: the ledger shows boards as they stood at a past
 * instant to auditors alone, so for anyone else the page asks for the boards as they stand now (it never sends a
 * request it knows will be refused) and says why, in `refusal`.
 */
export function boardInstant(search) {
  const asOf = search.get('asOf');
  if (!asOf || hasRole('auditor')) {
    return { asOf, refusal: null };
  }
  return {
    asOf: null,
    refusal: notice('info',
      `Boards as they stood at a past instant (${format.instant(asOf)}) are for auditors: sign in as an auditor, or use an auditor's token `
      + '(at the top right), to see them. Shown here as they stand now.'),
  };
}

/** Explains a failed read: what is missing and why, in words. */
export function unavailable(what, result) {
  const reasons = {
    401: 'this ledger asks for a token to read it: sign in, or use a token (at the top right)',
    403: 'the token in use may not read it',
  };
  const reason = (reasons[result.status] ?? [result.title, result.detail].filter(Boolean).join(': ')).replace(/\.$/, '');
  return h('div', { class: 'notice notice--warning', dataset: { unavailable: String(result.status) } },
    h('strong', {}, `${what} is not available.`),
    ' ',
    reason ? `${reason.charAt(0).toUpperCase()}${reason.slice(1)}` : '',
    result.status ? ` (HTTP ${result.status}).` : '.');
}

/** How fresh a projection's figures are: "Updated … · lag N". */
export function freshness(value) {
  if (!value) {
    return null;
  }
  const lag = Number(value.lag ?? 0);
  const state = lag === 0 ? 'up to date' : `behind by ${format.count(lag, 'event')}`;
  const where = value.position !== undefined && value.highWaterMark !== undefined
    ? ` at event ${format.number(value.position)} of ${format.number(value.highWaterMark)}`
    : '';
  return h('p', { class: ['freshness', lag > 0 ? 'freshness--behind' : null], dataset: { lag: String(lag) } },
    h('span', { class: 'freshness__icon', 'aria-hidden': 'true' }, lag > 0 ? '◔' : '●'),
    ` Updated ${format.instant(value.checkedAt)} · lag ${format.number(lag)} (${state})`,
    h('span', { class: 'freshness__source' },
      ` · ${value.projection ?? 'projection'} (${value.lifecycle ?? 'unknown'})${where}`));
}

export function statusBadge(status, { inferred } = {}) {
  return h('span', { class: 'badge-group' },
    h('span', { class: `badge ${statusClass(status)}`, dataset: { status } }, statusLabel(status)),
    inferred ? inferredMark(inferred) : null);
}

/** Marks a value the ledger inferred rather than read in the source; the reason is its tooltip. */
export function inferredMark(reason, label = 'inferred') {
  return h('abbr', { class: 'inferred-mark', title: `Inferred: ${reason}` }, label);
}

export function trafficLight(value) {
  if (!value) {
    return null;
  }
  return h('span', { class: `light light--${value}`, dataset: { light: value }, title: format.TRAFFIC_LIGHT_RULES[value] ?? null },
    h('span', { class: 'light__dot', 'aria-hidden': 'true' }), format.TRAFFIC_LIGHTS[value] ?? value);
}

export function basisTag(basis) {
  if (!basis) {
    return null;
  }
  const known = format.BASIS[basis];
  return h('span', { class: `basis basis--${basis}`, title: known?.explain ?? basis, dataset: { basis } },
    h('span', { class: 'basis__label' }, 'Basis: '), h('span', { class: 'basis__value' }, known?.label ?? basis));
}

export function commitmentLink(code, text = code) {
  return h('a', { class: 'code', href: `/commitments/${segment(code)}` }, text);
}

export function organizationLinks(codes) {
  return joined((codes ?? []).map((code) => h('a', { href: `/organizations/${segment(code)}` }, code)));
}

export function countryLinks(codes) {
  return joined((codes ?? []).map((code) =>
    h('a', { href: `/countries/${segment(code)}`, class: 'country', dataset: { country: code } }, countryLabel(code))));
}

/** "Afghanistan (AFG)", or the code alone when its name is unknown. */
export function countryLabel(code) {
  const name = countryName(code);
  return name ? `${name} (${code})` : code;
}

function joined(nodes) {
  if (nodes.length === 0) {
    return h('span', { class: 'muted' }, '—');
  }
  return nodes.flatMap((node, i) => (i === 0 ? [node] : [', ', node]));
}

/** Key figures as tiles: [{ label, value, hint?, href?, tone?, key }]. */
export function statTiles(tiles) {
  return h('ul', { class: 'tiles' }, tiles.map((tile) => {
    const body = [
      h('span', { class: 'tile__value' }, typeof tile.value === 'number' ? format.number(tile.value) : tile.value),
      h('span', { class: 'tile__label' }, tile.label),
      tile.hint ? h('span', { class: 'tile__hint' }, tile.hint) : null,
    ];
    return h('li', { class: ['tile', tile.tone ? `tile--${tile.tone}` : null], dataset: { tile: tile.key } },
      tile.href ? h('a', { class: 'tile__link', href: tile.href }, body) : body);
  }));
}

/**
 * A commitment summary from any of the API's shapes: the dashboards' summaries (code, trafficLight,
 * overdue, reviewed, role) or the commitment read model (id, basis, inferred, latestReview).
 */
export function asSummary(item) {
  return {
    code: item.code ?? item.id,
    meeting: item.meeting,
    title: item.title,
    kind: item.kind,
    status: item.status,
    workingSession: item.workingSession ?? null,
    leads: item.leads ?? [],
    dueDate: item.dueDate ?? null,
    lastReportOn: item.lastReportOn ?? item.latestProgress?.asOf ?? null,
    trafficLight: item.trafficLight,
    overdue: item.overdue,
    reviewed: item.reviewed ?? (item.latestReview === undefined ? undefined : item.latestReview !== null),
    basis: item.basis,
    inferred: item.inferred ?? {},
    role: item.role,
  };
}

const COLUMNS = [
  {
    key: 'code', header: 'Code', always: true,
    cell: (c) => commitmentLink(c.code),
  },
  {
    key: 'title', header: 'Commitment', always: true,
    cell: (c, options) => [
      h('span', { class: 'commitment-title' }, c.title),
      h('span', { class: 'commitment-kind' },
        [options.showMeeting ? c.meeting : null, format.words(c.kind)].filter(Boolean).join(' · ')),
    ],
  },
  { key: 'role', header: 'Role', cell: (c) => format.words(c.role) },
  {
    key: 'status', header: 'Status', always: true,
    cell: (c) => statusBadge(c.status, { inferred: c.inferred.status }),
  },
  { key: 'leads', header: 'Leads', always: true, cell: (c) => organizationLinks(c.leads) },
  {
    key: 'dueDate', header: 'Due', always: true,
    cell: (c) => [
      c.dueDate ? format.localDate(c.dueDate) : h('span', { class: 'muted', title: 'No due date set' }, '—'),
      c.overdue ? h('span', { class: 'flag flag--overdue' }, 'Overdue') : null,
    ],
  },
  {
    key: 'lastReportOn', header: 'Last report', always: true,
    cell: (c) => (c.lastReportOn ? format.factDate(c.lastReportOn) : h('span', { class: 'muted', title: 'No progress report yet' }, '—')),
  },
  { key: 'trafficLight', header: 'Rating', cell: (c) => trafficLight(c.trafficLight) },
  {
    key: 'reviewed', header: 'Review',
    cell: (c) => (c.reviewed
      ? h('span', { class: 'review review--done' }, 'Reviewed')
      : h('span', { class: 'review review--pending' }, 'Not reviewed')),
  },
  { key: 'basis', header: 'Basis', cell: (c) => basisTag(c.basis) },
];

/**
 * A table of commitments. Columns the data does not carry are left out.
 * @param {object[]} items commitments in any API shape
 * @param {{ caption: string, showMeeting?: boolean, empty?: string }} options
 */
export function commitmentTable(items, options) {
  const rows = items.map(asSummary);
  if (rows.length === 0) {
    return notice('info', options.empty ?? 'No commitments.');
  }
  const columns = COLUMNS.filter((column) => column.always || rows.some((r) => r[column.key] !== undefined && r[column.key] !== null));
  return h('div', { class: 'table-scroll' },
    h('table', { class: 'data commitments' },
      h('caption', { class: 'visually-hidden' }, options.caption),
      h('thead', {}, h('tr', {}, columns.map((column) => h('th', { scope: 'col', class: `col-${column.key}` }, column.header)))),
      h('tbody', {}, rows.map((row) => h('tr', { dataset: { code: row.code } },
        columns.map((column) => h('td', { class: `col-${column.key}`, dataset: { col: column.key } }, column.cell(row, options))))))));
}

/** "Page 2 of 5" with previous/next links. */
export function pager({ page, pageSize, total }, hrefFor) {
  const pages = Math.max(1, Math.ceil((total ?? 0) / (pageSize || 1)));
  if (pages <= 1) {
    return null;
  }
  return h('nav', { class: 'pager', 'aria-label': 'Pages' },
    page > 1 ? h('a', { href: hrefFor(page - 1), rel: 'prev' }, '← Previous') : h('span', { class: 'muted' }, '← Previous'),
    h('span', {}, `Page ${page} of ${pages}`),
    page < pages ? h('a', { href: hrefFor(page + 1), rel: 'next' }, 'Next →') : h('span', { class: 'muted' }, 'Next →'));
}

/** A meeting's place and dates: "Astana · 22–24 July 2024 · hosted by IOFS". */
export function meetingFacts(meeting) {
  return [
    meeting.city,
    format.meetingDates(meeting),
    meeting.host ? `hosted by ${meeting.host}` : null,
    meeting.participants ? `${format.number(meeting.participants)} participants` : null,
    meeting.reviews ? `reviews ${meeting.reviews}` : null,
  ].filter(Boolean).join(' · ');
}

/** Chart rows for a board's working sessions (one row for the whole meeting when it has none). */
export function sessionRows(board) {
  const sessions = board.sessions ?? [];
  if (sessions.length === 0) {
    return [{ key: 'all', label: 'All commitments', counts: board.byStatus, total: board.total }];
  }
  return sessions.map((session) => ({
    key: session.number === null || session.number === undefined ? 'none' : String(session.number),
    label: format.sessionName(session),
    counts: session.byStatus,
    total: session.total,
  }));
}

function composition(label, counts, describe) {
  const entries = Object.entries(kebabKeys(counts)).filter(([key, n]) => key !== 'total' && n > 0);
  if (entries.length === 0) {
    return null;
  }
  return h('p', { class: 'composition' },
    h('span', { class: 'composition__label' }, `${label}: `),
    entries.map(([key, n], i) => [i > 0 ? ' · ' : null, `${format.number(n)} `, describe(key)]));
}

/**
 * A meeting's board: key figures, the status chart per working session and its freshness.
 * @param {object} meeting the meeting (from /api/meetings)
 * @param {object} result the board's read result (/api/dashboard/meetings/{code})
 * @param {{ heading?: boolean, scale?: number }} options heading: show the meeting's title and place (on the
 *   list of meetings); scale: the count a full bar stands for, shared by boards shown together
 */
export function meetingBoard(meeting, result, { heading = true, scale } = {}) {
  const code = meeting.code;
  const titleId = `board-${code}-title`;
  const head = heading
    ? h('header', { class: 'board__header' },
      h('h2', { class: 'board__title', id: titleId },
        h('a', { href: `/meetings/${segment(code)}`, class: 'board__link' },
          h('span', { class: 'board__code' }, code), ' ', meeting.title)),
      h('p', { class: 'board__facts' }, meetingFacts(meeting)))
    : h('h2', { class: 'visually-hidden', id: titleId }, `Board of ${code}`);

  if (!result.ok) {
    return h('section', { class: 'card board', dataset: { meeting: code }, 'aria-labelledby': titleId },
      head, unavailable('The board for this meeting', result));
  }

  const board = result.data;
  const lights = board.trafficLights ?? {};
  return h('section', { class: 'card board', dataset: { meeting: code, total: String(board.total) }, 'aria-labelledby': titleId },
    head,
    statTiles([
      { key: 'total', label: 'commitments', value: board.total },
      {
        key: 'overdue', label: 'overdue', value: board.overdue, tone: board.overdue > 0 ? 'alert' : null,
        href: `/overdue?meeting=${segment(code)}`,
      },
      {
        key: 'unreviewed', label: 'not yet reviewed', value: board.unreviewed, tone: board.unreviewed > 0 ? 'warn' : null,
        href: `/meetings/${segment(code)}#review-queue`,
      },
      {
        key: 'lights', label: 'traffic lights',
        value: h('span', { class: 'lights' },
          ['green', 'amber', 'red', 'none'].map((light) => h('span', {
            class: `lights__item light--${light}`, dataset: { light }, title: format.TRAFFIC_LIGHT_RULES[light],
          },
            h('span', { class: 'light__dot', 'aria-hidden': 'true' }),
            `${format.TRAFFIC_LIGHTS[light]} ${format.number(lights[light] ?? 0)}`))),
      },
    ]),
    statusChart(sessionRows(board), {
      title: `${code}: commitments by status and working session`,
      rowHeader: 'Working session',
      totalRow: 'Whole meeting',
      scale,
    }),
    composition('Basis', board.byBasis, (key) => h('span', { class: `basis-name basis-name--${key}`, title: format.BASIS[key]?.explain ?? null },
      (format.BASIS[key]?.label ?? format.words(key)).toLowerCase())),
    composition('Kind', board.byKind, (key) => format.words(key).toLowerCase()),
    board.asOf ? notice('info', `As the ledger stood at ${format.instant(board.asOf)}.`) : null,
    board.effectiveOn ? notice('info', inForceText(board.effectiveOn, meeting.city)) : null,
    freshness(board.freshness));
}
