// How the dashboard writes dates, instants, codes and the ledger's vocabulary. Fixed English
// month names and UTC, so every reader (and every screenshot) sees the same text.

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
  'September', 'October', 'November', 'December'];

function parseLocalDate(text) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text ?? '');
  return match ? { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) } : null;
}

/** "2024-07-22" → "22 July 2024". */
export function localDate(text) {
  const date = parseLocalDate(text);
  return date ? `${date.day} ${MONTHS[date.month - 1]} ${date.year}` : (text ?? '');
}

/** A fact date ({ date, precision }) → "22 July 2024" or "July 2022 (month only)". */
export function factDate(value) {
  if (!value) {
    return '';
  }
  if (typeof value === 'string') {
    return localDate(value);
  }
  const date = parseLocalDate(value.date);
  if (!date) {
    return value.date ?? '';
  }
  return value.precision === 'month'
    ? `${MONTHS[date.month - 1]} ${date.year} (month only)`
    : `${date.day} ${MONTHS[date.month - 1]} ${date.year}`;
}

/** A meeting's dates: "22–24 July 2024", or its opening fact date. */
export function meetingDates(meeting) {
  const start = parseLocalDate(meeting.startDate);
  const end = parseLocalDate(meeting.endDate);
  if (start && end) {
    if (start.year === end.year && start.month === end.month) {
      return start.day === end.day
        ? localDate(meeting.startDate)
        : `${start.day}–${end.day} ${MONTHS[start.month - 1]} ${start.year}`;
    }
    return `${localDate(meeting.startDate)} – ${localDate(meeting.endDate)}`;
  }
  return factDate(meeting.opens);
}

/** An instant → "25 July 2024, 06:00 UTC". */
export function instant(text) {
  if (!text) {
    return '';
  }
  const time = new Date(text);
  if (Number.isNaN(time.getTime())) {
    return text;
  }
  const pad = (n) => String(n).padStart(2, '0');
  return `${time.getUTCDate()} ${MONTHS[time.getUTCMonth()]} ${time.getUTCFullYear()}, `
    + `${pad(time.getUTCHours())}:${pad(time.getUTCMinutes())} UTC`;
}

export function count(n, singular, plural = `${singular}s`) {
  return `${number(n)} ${n === 1 ? singular : plural}`;
}

export function number(n) {
  return typeof n === 'number' ? n.toLocaleString('en-GB') : '–';
}

/**
 * An event's stable type name in words, without its version: "progress-reported-v2" → "Progress reported". The
 * version an event was stored as is the history's to say.
 */
export function eventType(type) {
  return words(String(type ?? '').replace(/-v\d+$/, ''));
}

/** An indicator of a progress report in words: "Farmers trained: 120 (baseline 0, target 500)", a percentage with %. */
export function indicator(i) {
  const unit = i.measure === 'percentage' ? '%' : '';
  const value = (n) => `${number(n)}${unit}`;
  const around = [i.baseline == null ? null : `baseline ${value(i.baseline)}`, i.target == null ? null : `target ${value(i.target)}`]
    .filter(Boolean).join(', ');
  const actual = i.actual == null ? words(i.measure) : value(i.actual);
  return `${i.name}: ${actual}${around ? ` (${around})` : ''}${i.comment ? ` — ${i.comment}` : ''}`;
}

/** "matrix-line" → "Matrix line"; "CommitmentPledged" → "Commitment pledged". */
export function words(value) {
  if (!value) {
    return '';
  }
  const spaced = String(value)
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[-_]+/g, ' ')
    .toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

export const BASIS = {
  stated: { label: 'Stated', explain: 'stated in the source article about the meeting' },
  'agenda-topic': { label: 'Agenda topic', explain: 'a matrix line derived from an agenda topic; the source names the topic only' },
  recorded: { label: 'Recorded', explain: 'recorded directly in the ledger by the secretariat' },
};

/** The dashboards' traffic lights; "none" is a final status (completed, withdrawn, carried forward). */
export const TRAFFIC_LIGHTS = {
  green: 'Green',
  amber: 'Amber',
  red: 'Red',
  none: 'Final',
};

/** What each light means (the dashboards' rules), shown as a tooltip. */
export const TRAFFIC_LIGHT_RULES = {
  green: 'reported, or pledged, within the last year and not overdue',
  amber: 'overdue, or no progress report for a year',
  red: 'no progress report for two years',
  none: 'completed, withdrawn or carried forward: nothing left to report',
};

/** "Working session 2 — Cooperation on Economic …" or "No working session". */
export function sessionName(session) {
  if (session.number === null || session.number === undefined) {
    return session.title || 'Not assigned to a working session';
  }
  return session.title ? `${session.number}. ${session.title}` : `Working session ${session.number}`;
}
