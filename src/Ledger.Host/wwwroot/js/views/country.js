// "/countries/{iso3}": the commitments that name a country.

import { getJson, query, segment } from '../api.js';
import { businessDay, businessDayPicker, inForceText } from '../business-day.js';
import {
  commitmentTable, countryLabel, freshness, notice, pageHeader, section, setTitle, statTiles, unavailable,
} from '../components.js';
import { statusChart } from '../chart.js';
import { h, replaceChildren } from '../dom.js';

export async function render(main, { iso3 }, search) {
  const code = iso3.toUpperCase();
  setTitle(code);
  const { effectiveOn } = businessDay(search);
  const picker = businessDayPicker(search, { zone: 'UTC', what: 'the coverage' });
  const result = await getJson(`/api/dashboard/countries/${segment(code)}${query({ effectiveOn })}`);
  if (!result.ok) {
    replaceChildren(main, pageHeader({ eyebrow: 'Country', title: code }), picker, unavailable(`Country ${code}`, result));
    return;
  }

  const board = result.data;
  // The country may come as its code or as { iso3, name }.
  const country = typeof board.country === 'object' && board.country !== null ? board.country : { iso3: board.country ?? code };
  const iso = country.iso3 ?? country.code ?? code;
  const name = country.name ? `${country.name} (${iso})` : countryLabel(iso);
  setTitle(name);
  replaceChildren(main,
    pageHeader({
      eyebrow: 'Country (ISO 3166-1 alpha-3)',
      title: name,
      subtitle: 'Commitments that name this country among their beneficiaries or places of work.',
    }),
    picker,
    h('section', { class: 'card', 'aria-label': 'Figures' },
      statTiles([{ key: 'total', label: 'commitments', value: board.total }]),
      statusChart([{ key: 'all', label: `All commitments (${board.total})`, counts: board.byStatus, total: board.total }],
        { title: `${iso}: commitments by status`, rowHeader: 'Commitments' }),
      board.effectiveOn ? notice('info', inForceText(board.effectiveOn)) : null,
      freshness(board.freshness)),
    section('commitments', 'Commitments',
      commitmentTable(board.commitments ?? [], {
        caption: `Commitments naming ${iso}`,
        showMeeting: true,
        empty: 'No commitment names this country.',
      })));
}
