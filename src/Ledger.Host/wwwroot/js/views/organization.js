// "/organizations/{code}": what an organization leads and partners in.

import { getJson, query, segment } from '../api.js';
import { businessDay, businessDayPicker, inForceText } from '../business-day.js';
import {
  commitmentTable, freshness, notice, pageHeader, section, setTitle, statTiles, unavailable,
} from '../components.js';
import { statusChart } from '../chart.js';
import { h, replaceChildren } from '../dom.js';
import { words } from '../format.js';

const FAMILIES = { un: 'United Nations system', oic: 'OIC system', 'host-government': 'Host government' };

function family(value) {
  return value ? FAMILIES[value] ?? words(value) : null;
}

export async function render(main, { code }, search) {
  setTitle(code);
  const { effectiveOn } = businessDay(search);
  const picker = businessDayPicker(search, { zone: 'UTC', what: 'the portfolio' });
  const result = await getJson(`/api/dashboard/organizations/${segment(code)}${query({ effectiveOn })}`);
  if (!result.ok) {
    replaceChildren(main, pageHeader({ eyebrow: 'Organization', title: code }), picker, unavailable(`Organization ${code}`, result));
    return;
  }

  const board = result.data;
  const organization = board.organization ?? { code };
  const leads = board.leads ?? { total: 0, byStatus: {} };
  const partners = board.partners ?? { total: 0, byStatus: {} };
  setTitle(organization.code, organization.name);
  replaceChildren(main,
    pageHeader({
      eyebrow: `Organization ${organization.code}`,
      title: organization.name ?? organization.code,
      subtitle: family(organization.family),
    }),
    picker,
    h('section', { class: 'card', 'aria-label': 'Figures' },
      statTiles([
        { key: 'leads', label: 'leads', value: leads.total },
        { key: 'partners', label: 'partner in', value: partners.total },
      ]),
      statusChart([
        { key: 'leads', label: `Leads (${leads.total})`, counts: leads.byStatus, total: leads.total },
        { key: 'partners', label: `Partner in (${partners.total})`, counts: partners.byStatus, total: partners.total },
      ], { title: `${organization.code}: commitments by role and status`, rowHeader: 'Role' }),
      board.effectiveOn ? notice('info', inForceText(board.effectiveOn)) : null,
      freshness(board.freshness)),
    section('commitments', 'Commitments',
      commitmentTable(board.commitments ?? [], {
        caption: `Commitments ${organization.code} leads or partners in`,
        showMeeting: true,
        empty: 'This organization leads and partners in no commitment.',
      })));
}
