// "/meetings/{code}": the meeting's board, its review queue and all its commitments by working session;
// for the secretariat, the form that records a batch of review decisions.

import { mayRecordReviews, currentSession } from '../access.js';
import { getAll, getJson, query, segment } from '../api.js';
import { businessDay, businessDayPicker } from '../business-day.js';
import {
  boardInstant, commitmentTable, meetingBoard, meetingFacts, notice, pageHeader, section, setTitle, trafficLight, unavailable,
} from '../components.js';
import { h, replaceChildren } from '../dom.js';
import { count, sessionName } from '../format.js';
import { vocabulary } from '../vocabulary.js';
import { batchForm } from '../writing/batch.js';

const PAGE_SIZE = 200;
const QUEUE_SIZE = 50;

// After a batch, the board and the queue (async projections) are read again until they include it.
const SETTLE_TRIES = 20;
const SETTLE_DELAY_MS = 250;

export async function render(main, { code }, search) {
  const { asOf, refusal } = boardInstant(search);
  const { effectiveOn } = businessDay(search);
  setTitle(code);
  const reads = () => getAll(
    `/api/meetings/${segment(code)}`,
    `/api/dashboard/meetings/${segment(code)}${query({ asOf, effectiveOn })}`,
    `/api/commitments${query({ meeting: code, pageSize: PAGE_SIZE })}`,
    `/api/dashboard/meetings/${segment(code)}/unreviewed${query({ pageSize: QUEUE_SIZE, effectiveOn })}`);
  let [meeting, board, list, queue] = await reads();

  if (!meeting.ok) {
    replaceChildren(main,
      pageHeader({ eyebrow: 'Meeting', title: code }),
      unavailable(`Meeting ${code}`, meeting));
    return;
  }

  const m = meeting.data;
  setTitle(m.code, m.title);
  const boardSlot = h('div', { class: 'meeting-board' });
  const queueSlot = h('div', { class: 'meeting-queue' });
  const listSlot = h('div', { class: 'meeting-commitments' });
  const draw = () => {
    replaceChildren(boardSlot, meetingBoard(m, board, { heading: false }));
    replaceChildren(queueSlot, reviewQueue(queue));
    replaceChildren(listSlot, commitments(m, board, list, effectiveOn));
  };
  draw();

  const page = {
    meeting: m,
    today: (currentSession()?.now ?? new Date().toISOString()).slice(0, 10),
    items: () => (list.ok ? list.data.items ?? [] : []),
    refresh: async () => {
      for (let attempt = 1; attempt <= SETTLE_TRIES; attempt++) {
        [, board, list, queue] = await reads();
        if (asOf || effectiveOn || [board, queue].every((r) => !r.ok || !r.data.freshness || r.data.freshness.lag === 0)) {
          break;
        }
        await new Promise((resolve) => { setTimeout(resolve, SETTLE_DELAY_MS); });
      }
      draw();
      return list.ok ? list.data.items ?? [] : null;
    },
  };

  replaceChildren(main,
    pageHeader({ eyebrow: `Meeting ${m.code}`, title: m.title, subtitle: meetingFacts(m) }),
    refusal,
    businessDayPicker(search, { zone: m.timeZone ?? 'UTC', place: m.city, what: 'the board and the review queue' }),
    boardSlot,
    queueSlot,
    await reviewing(page, list),
    listSlot);
}

/** The batch form, for the secretariat only (the ledger refuses anyone else anyway). */
async function reviewing(page, list) {
  if (!mayRecordReviews() || !list.ok) {
    return null;
  }
  const [terms, meetings] = await Promise.all([vocabulary(), getJson('/api/meetings')]);
  if (!terms.ok || !meetings.ok) {
    return section('batch-review', 'Record review decisions', unavailable('The form of review decisions', terms.ok ? meetings : terms));
  }
  page.meetings = meetings.data.items ?? [];
  return section('batch-review', 'Record review decisions', batchForm(page, terms.data).form);
}

/** The commitments awaiting a review decision, compactly: each code links to its timeline (the table below has the details). */
function reviewQueue(queue) {
  if (!queue.ok) {
    return section('review-queue', 'Review queue', unavailable('The review queue', queue));
  }
  const { items = [], total = items.length } = queue.data;
  return section('review-queue', 'Review queue',
    h('p', { class: 'section__lead' }, total === 0
      ? 'Every commitment of this meeting has a review decision.'
      : `${count(total, 'commitment')} of this meeting ${total === 1 ? 'has' : 'have'} no review decision yet`
        + (items.length < total ? `; the first ${items.length} are listed.` : '.')),
    total === 0 ? null : h('ul', { class: 'queue', 'aria-label': 'Awaiting a review decision' },
      items.map((item) => h('li', { class: 'queue__item', dataset: { code: item.code } },
        h('a', { href: `/commitments/${segment(item.code)}`, title: item.title }, item.code),
        item.trafficLight ? trafficLight(item.trafficLight) : null))));
}

function commitments(meeting, board, list, effectiveOn) {
  if (!list.ok) {
    return section('commitments', 'Commitments', unavailable('The list of commitments', list));
  }
  const { items = [], total = items.length } = list.data;

  // Session titles from the board, else from the meeting's own sessions.
  const titles = new Map();
  for (const s of [...(meeting.sessions ?? []), ...(board.ok ? board.data.sessions ?? [] : [])]) {
    if (s.title) {
      titles.set(s.number ?? null, s.title);
    }
  }

  const groups = new Map();
  for (const item of items) {
    const key = item.workingSession ?? null;
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  const order = [...groups.keys()].sort((a, b) => (a ?? Infinity) - (b ?? Infinity));

  return section('commitments', 'Commitments',
    h('p', { class: 'section__lead' }, `${count(total, 'commitment')}, by working session.`
      + (items.length < total ? ` The first ${items.length} are listed.` : '')
      + (effectiveOn ? ' Listed as they stand today; the board and the review queue above are as in force on the day chosen.' : '')),
    items.length === 0 ? notice('info', 'No commitment is recorded for this meeting.') : null,
    order.map((number) => {
      const name = number === null ? titles.get(null) ?? 'Not assigned to a working session' : sessionName({ number, title: titles.get(number) });
      const id = `session-${number ?? 'none'}`;
      return h('div', { class: 'group', id, dataset: { session: number ?? 'none' } },
        h('h3', { class: 'group__title' }, name, ' ', h('span', { class: 'group__count' }, `(${groups.get(number).length})`)),
        commitmentTable(groups.get(number), { caption: `Commitments of ${name}` }));
    }));
}
