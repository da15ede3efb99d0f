// The business day a dashboard page shows (`?effectiveOn=`, docs/dashboards.md#on-a-business-day): a date and an
// optional local time, read in the meeting's own time zone (in UTC on pages that are not of one meeting). The choice
// lives in the page's address, so a view on a business day can be bookmarked and shared.

import { h } from './dom.js';
import * as format from './format.js';

/** A date, or a date and a wall-clock time to the minute (seconds allowed): what the picker can show again. */
const LOCAL = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?)?$/;

/** The page's `?effectiveOn=` as given (null when none), with its date and local time when it has no offset. */
export function businessDay(search) {
  const effectiveOn = search.get('effectiveOn') || null;
  const match = LOCAL.exec(effectiveOn ?? '');
  return { effectiveOn, date: match?.[1] ?? '', time: match?.[2] ?? '' };
}

/** The zone's offset from UTC on a date ("GMT+5"), as the browser's time zone database gives it, or null. */
function offsetOn(zone, date) {
  if (zone === 'UTC') {
    return null;
  }
  try {
    const at = new Date(`${date || new Date().toISOString().slice(0, 10)}T12:00:00Z`);
    const parts = new Intl.DateTimeFormat('en-GB', { timeZone: zone, timeZoneName: 'shortOffset' }).formatToParts(at);
    return parts.find((p) => p.type === 'timeZoneName')?.value ?? null;
  } catch {
    return null;
  }
}

/** "Astana time (Asia/Almaty, GMT+5)", or "UTC". */
export function zoneLabel(zone, place, date) {
  if (zone === 'UTC') {
    return 'UTC';
  }
  const offset = offsetOn(zone, date);
  return `${place ? `${place} time` : 'Local time'} (${zone}${offset ? `, ${offset}` : ''})`;
}

/**
 * The picker of a business day: a date and an optional time in `zone` (an IANA name; `place` names it in words),
 * shown as such. Showing loads the page's own address with `effectiveOn` set (a full page load, like every link);
 * "Today" loads it without.
 */
export function businessDayPicker(search, { zone, place = null, what = 'these figures' }) {
  const { effectiveOn, date, time } = businessDay(search);
  const dateInput = h('input', { type: 'date', name: 'date', value: date, required: true, min: '1900-01-01', max: '9998-12-31' });
  const timeInput = h('input', { type: 'time', name: 'time', value: time });
  // Without a zone (several meetings on one page), each figure reads the time in its own meeting's zone.
  const label = (day) => (zone ? zoneLabel(zone, place, day) : "each meeting's own local time");
  const zoneText = h('span', { class: 'business-day__zone', dataset: { zone: zone ?? 'meeting' } }, label(date));
  dateInput.addEventListener('change', () => { zoneText.textContent = label(dateInput.value); });

  const here = (value) => {
    const params = new URLSearchParams(location.search);
    if (value) {
      params.set('effectiveOn', value);
    } else {
      params.delete('effectiveOn');
    }
    params.delete('page');
    const text = params.toString();
    return `${location.pathname}${text ? `?${text}` : ''}`;
  };

  return h('form', {
    class: 'business-day',
    'aria-label': 'Business day',
    onsubmit: (event) => {
      event.preventDefault();
      if (dateInput.value) {
        location.assign(here(timeInput.value ? `${dateInput.value}T${timeInput.value}` : dateInput.value));
      }
    },
  },
  h('span', { class: 'business-day__lead' }, `Show ${what} as in force on`),
  h('label', { class: 'business-day__field' }, h('span', {}, 'Date'), dateInput),
  h('label', { class: 'business-day__field' }, h('span', {}, 'Time (optional)'), timeInput),
  zoneText,
  h('button', { type: 'submit', class: 'button' }, 'Show'),
  effectiveOn ? h('a', { class: 'business-day__today', href: here(null) }, 'Back to today') : null);
}

/** "UTC+5", "UTC-3:30", "UTC": an offset in minutes, as the ledger applied it. */
function utcOffset(minutes) {
  if (minutes === 0) {
    return 'UTC';
  }
  const sign = minutes < 0 ? '-' : '+';
  const hours = Math.floor(Math.abs(minutes) / 60);
  const rest = Math.abs(minutes) % 60;
  return `UTC${sign}${hours}${rest ? `:${String(rest).padStart(2, '0')}` : ''}`;
}

/**
 * What a dashboard on a business day shows, in words, from its answer's `effectiveOn`. The offset of a local time is
 * the one the ledger applied (the wall-clock time less the instant it answered for), not the browser's reading.
 */
export function inForceText(effectiveOn, place = null) {
  const { requested, inForceBy, timeZone } = effectiveOn;
  const match = LOCAL.exec(requested ?? '');
  const named = timeZone === 'UTC' ? 'UTC' : `${place ? `${place} time` : 'local time'} (${timeZone}`;
  if (!match) {
    return `As in force at ${format.instant(inForceBy)}.`;
  }
  if (!match[2]) {
    return `As in force on ${format.localDate(match[1])}, the whole day in ${named}${timeZone === 'UTC' ? '' : ')'}.`;
  }
  const minutes = Math.round((Date.parse(`${match[1]}T${match[2]}:00Z`) - Date.parse(inForceBy)) / 60000);
  const offset = Number.isFinite(minutes) ? utcOffset(minutes) : null;
  const zone = timeZone === 'UTC' ? 'UTC' : `${named}${offset ? `, ${offset}` : ''})`;
  return `As in force on ${format.localDate(match[1])}, ${match[2]} ${zone}.`;
}
