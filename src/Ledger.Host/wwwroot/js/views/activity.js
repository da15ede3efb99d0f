// "/activity": the latest facts recorded in the ledger, newest first.

import { getJson, query, segment } from '../api.js';
import {
  commitmentLink, freshness, notice, pageHeader, setTitle, unavailable,
} from '../components.js';
import { h, replaceChildren } from '../dom.js';
import { eventType, instant, number } from '../format.js';

const LIMIT = 50;

export async function render(main, _params, search) {
  setTitle('Activity');
  const before = search.get('before');
  const result = await getJson(`/api/dashboard/activity${query({ limit: LIMIT, before })}`);
  const header = pageHeader({
    eyebrow: 'Ledger',
    title: 'Recent activity',
    subtitle: 'The latest events recorded in the ledger, newest first: who recorded what, and when.',
  });
  if (!result.ok) {
    replaceChildren(main, header, unavailable('The activity feed', result));
    return;
  }

  const items = result.data.items ?? [];
  const oldest = items.reduce((min, item) => Math.min(min, item.sequence), Infinity);
  replaceChildren(main,
    header,
    freshness(result.data.freshness),
    before ? h('p', { class: 'section__lead' }, `Events before number ${before}. `, h('a', { href: '/activity' }, 'Back to the latest')) : null,
    items.length === 0 ? notice('info', 'No event is recorded yet.') : feed(items),
    items.length === LIMIT && Number.isFinite(oldest)
      ? h('nav', { class: 'pager', 'aria-label': 'Older events' }, h('a', { href: `/activity${query({ before: oldest })}`, rel: 'next' }, 'Older events →'))
      : null);
}

function feed(items) {
  return h('div', { class: 'table-scroll' },
    h('table', { class: 'data activity' },
      h('caption', { class: 'visually-hidden' }, 'Recent events'),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col', class: 'num' }, 'No.'),
        h('th', { scope: 'col' }, 'Recorded'),
        h('th', { scope: 'col' }, 'Event'),
        h('th', { scope: 'col' }, 'Commitment'),
        h('th', { scope: 'col' }, 'What'),
        h('th', { scope: 'col' }, 'By'))),
      h('tbody', {}, items.map((item) => h('tr', { dataset: { sequence: String(item.sequence) } },
        h('td', { class: 'num' }, number(item.sequence)),
        h('td', { class: 'nowrap' }, instant(item.recordedAt)),
        h('td', { class: 'nowrap' }, eventType(item.type)),
        h('td', { class: 'nowrap' }, item.commitment ? commitmentLink(item.commitment) : streamLink(item.stream)),
        h('td', {}, item.summary ?? ''),
        h('td', { class: 'nowrap' }, [item.user, item.organization ? `(${item.organization})` : null].filter(Boolean).join(' ')))))));
}

// Streams other than commitments: meetings and organizations have pages of their own.
const STREAM_PAGES = { meeting: '/meetings/', organization: '/organizations/' };

function streamLink(stream) {
  const [kind, code] = String(stream ?? '').split(':');
  return STREAM_PAGES[kind] && code
    ? h('a', { href: `${STREAM_PAGES[kind]}${segment(code)}` }, stream)
    : h('span', { class: 'muted' }, stream ?? '—');
}
