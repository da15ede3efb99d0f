// "/overdue": commitments past their due date, optionally for one meeting or organization.

import { getAll, query, segment } from '../api.js';
import { businessDay, businessDayPicker, inForceText } from '../business-day.js';
import {
  commitmentTable, freshness, notice, pageHeader, pager, setTitle, unavailable,
} from '../components.js';
import { h, replaceChildren } from '../dom.js';
import { count, localDate } from '../format.js';

const PAGE_SIZE = 50;

export async function render(main, _params, search) {
  setTitle('Overdue');
  const meeting = search.get('meeting');
  const org = search.get('org');
  const page = Math.max(1, Number.parseInt(search.get('page') ?? '1', 10) || 1);
  const { effectiveOn } = businessDay(search);
  const [result, meetings] = await getAll(
    `/api/dashboard/overdue${query({ meeting, org, page, pageSize: PAGE_SIZE, effectiveOn })}`,
    '/api/meetings');

  // The list of one meeting reads a local time in that meeting's zone, the list across meetings in UTC.
  const chosen = meeting && meetings.ok ? (meetings.data.items ?? []).find((m) => m.code === meeting.toUpperCase()) : null;
  const picker = businessDayPicker(search, { zone: chosen?.timeZone ?? 'UTC', place: chosen?.city, what: 'the overdue list' });

  const header = pageHeader({
    eyebrow: 'Follow-up',
    title: 'Overdue commitments',
    subtitle: 'Commitments whose due date has passed while they are still open.',
  });
  const filters = filterBar(meetings.ok ? meetings.data.items ?? [] : [], meeting, org, effectiveOn);
  if (!result.ok) {
    replaceChildren(main, header, filters, picker, unavailable('The overdue list', result));
    return;
  }

  const { items = [], total = items.length, today } = result.data;
  const hrefFor = (p) => `/overdue${query({ meeting, org, page: p, effectiveOn })}`;
  replaceChildren(main,
    header,
    filters,
    picker,
    result.data.effectiveOn ? notice('info', inForceText(result.data.effectiveOn, chosen?.city)) : null,
    h('p', { class: 'section__lead', dataset: { total: String(total) } },
      `${count(total, 'commitment')} overdue`,
      today ? ` on ${localDate(today)} (${result.data.effectiveOn ? 'the business day chosen' : "the ledger's today"})` : '',
      meeting ? `, meeting ${meeting}` : '', org ? `, organization ${org}` : '', '.'),
    total === 0 ? notice('success', 'Nothing is overdue.') : commitmentTable(items, { caption: 'Overdue commitments', showMeeting: true }),
    pager({ page: result.data.page ?? page, pageSize: result.data.pageSize ?? PAGE_SIZE, total }, hrefFor),
    freshness(result.data.freshness));
}

function filterBar(meetings, meeting, org, effectiveOn) {
  const link = (label, href, current) => h('a', { href, class: ['chip', current ? 'chip--current' : null], 'aria-current': current ? 'page' : null }, label);
  return h('nav', { class: 'filters', 'aria-label': 'Filter by meeting' },
    h('span', { class: 'filters__label' }, 'Meeting:'),
    link('All', `/overdue${query({ org, effectiveOn })}`, !meeting),
    meetings.map((m) => link(m.code, `/overdue${query({ meeting: m.code, org, effectiveOn })}`, meeting?.toUpperCase() === m.code)),
    org ? h('span', { class: 'filters__label' }, ` Organization: ${org} `, h('a', { href: `/overdue${query({ meeting, effectiveOn })}` }, '(any)')) : null,
    meeting ? h('a', { class: 'filters__more', href: `/meetings/${segment(meeting)}` }, `Open meeting ${meeting} →`) : null);
}
