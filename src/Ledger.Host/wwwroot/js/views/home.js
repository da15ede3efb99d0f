// "/": every meeting with its board.

import { getAll, getJson, query, segment } from '../api.js';
import { businessDay, businessDayPicker } from '../business-day.js';
import {
  boardInstant, meetingBoard, notice, pageHeader, sessionRows, setTitle, unavailable,
} from '../components.js';
import { replaceChildren } from '../dom.js';
import { instant } from '../format.js';

export async function render(main, _params, search) {
  setTitle('Meetings');
  const { asOf, refusal } = boardInstant(search);
  const { effectiveOn } = businessDay(search);
  const header = pageHeader({
    eyebrow: 'UN–OIC General Meetings on Cooperation',
    title: 'Commitments by meeting',
    subtitle: 'What each meeting committed to, where every commitment stands, and what is overdue or awaits review.',
  });

  const meetings = await getJson('/api/meetings');
  if (!meetings.ok) {
    replaceChildren(main, header, unavailable('The list of meetings', meetings));
    return;
  }

  // Most recent meeting first: it is the one the secretariat works on.
  const items = [...(meetings.data.items ?? [])].reverse();
  const boards = await getAll(...items.map((m) => `/api/dashboard/meetings/${segment(m.code)}${query({ asOf, effectiveOn })}`));
  // One scale for every board, so that bars compare across meetings.
  const scale = Math.max(0, ...boards.filter((b) => b.ok).flatMap((b) => sessionRows(b.data).map((row) => row.total)));
  replaceChildren(main,
    header,
    refusal,
    businessDayPicker(search, { zone: null, what: 'the boards' }),
    asOf ? notice('info', `Showing the boards as the ledger stood at ${instant(asOf)}.`) : null,
    items.length === 0 ? notice('info', 'No meeting is recorded yet.') : null,
    items.map((meeting, i) => meetingBoard(meeting, boards[i], { scale })));
}
