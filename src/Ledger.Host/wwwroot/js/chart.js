// Stacked horizontal bars of commitments by status, drawn as inline SVG. Every bar has a text
// label and its total, every segment its count (when it fits) and a tooltip; the chart has a
// title and a text description for screen readers, a legend with the status names, and the same
// figures as a table, so no figure is carried by colour alone.

import { h, s, uniqueId } from './dom.js';
import { count, number } from './format.js';
import { countsInOrder, statusClass } from './status.js';

const WIDTH = 720;
const LABEL_HEIGHT = 22;
const BAR_HEIGHT = 24;
const ROW_GAP = 16;
const TOTAL_SPACE = 56;
const MIN_LABELLED_WIDTH = 22;

/**
 * @param {{ key: string, label: string, counts: Object<string, number>, total?: number }[]} rows
 * @param {{ title: string, rowHeader: string, totalRow?: string, scale?: number }} options
 *   totalRow: the label of a summing row in the table (only where the rows do not overlap);
 *   scale: the count a full-width bar stands for, so that charts side by side compare (default: the longest row).
 * @returns {HTMLElement} a figure
 */
export function statusChart(rows, { title, rowHeader, totalRow, scale }) {
  const prepared = rows.map((row) => {
    const counts = countsInOrder(row.counts);
    const total = row.total ?? counts.reduce((sum, c) => sum + c.count, 0);
    return { ...row, counts, total };
  });
  // The statuses that occur in any row, in lifecycle order: the legend's and the table's columns.
  const overall = {};
  for (const row of prepared) {
    for (const c of row.counts) {
      overall[c.key] = (overall[c.key] ?? 0) + c.count;
    }
  }
  const present = countsInOrder(overall).filter((c) => c.count > 0);

  const titleId = uniqueId('chart-title');
  const descId = uniqueId('chart-desc');
  return h('figure', { class: 'chart' },
    h('figcaption', { class: 'chart__caption', id: titleId }, title),
    drawing(prepared, { titleId, descId, title, scale }),
    legend(present),
    table(prepared, present, { title, rowHeader, totalRow }));
}

function drawing(rows, { titleId, descId, title, scale: fullWidth }) {
  const scale = Math.max(1, fullWidth ?? 0, ...rows.map((r) => r.total));
  const barArea = WIDTH - TOTAL_SPACE;
  const rowHeight = LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP;
  const height = Math.max(1, rows.length * rowHeight - ROW_GAP + 2);

  const svg = s('svg', {
    class: 'chart__svg',
    viewBox: `0 0 ${WIDTH} ${height}`,
    role: 'img',
    'aria-labelledby': `${titleId}-svg ${descId}`,
    preserveAspectRatio: 'xMinYMin meet',
  },
  s('title', { id: `${titleId}-svg` }, title),
  s('desc', { id: descId }, rows.map(describe).join(' ')));

  rows.forEach((row, index) => {
    const top = index * rowHeight;
    const barTop = top + LABEL_HEIGHT;
    const group = s('g', { class: 'chart__row', dataset: { row: row.key, total: String(row.total) } },
      s('text', { class: 'chart__label', x: 0, y: top + 15 }, row.label),
      s('rect', { class: 'chart__track', x: 0, y: barTop, width: barArea, height: BAR_HEIGHT, rx: 3 }));

    let x = 0;
    for (const segment of row.counts.filter((c) => c.count > 0)) {
      const width = (segment.count / scale) * barArea;
      group.append(s('rect', {
        class: `chart__segment ${statusClass(segment.key)}`,
        x: x.toFixed(2), y: barTop, width: width.toFixed(2), height: BAR_HEIGHT,
        dataset: { status: segment.key, count: String(segment.count) },
      }, s('title', {}, `${row.label}: ${segment.count} ${segment.label.toLowerCase()} of ${row.total}`)));
      if (width >= MIN_LABELLED_WIDTH) {
        group.append(s('text', {
          class: `chart__count ${statusClass(segment.key)}`,
          x: (x + width / 2).toFixed(2), y: barTop + BAR_HEIGHT / 2 + 5, 'text-anchor': 'middle',
          'aria-hidden': 'true',
        }, String(segment.count)));
      }
      x += width;
    }

    group.append(s('text', {
      class: 'chart__total', x: (x + 8).toFixed(2), y: barTop + BAR_HEIGHT / 2 + 5,
    }, number(row.total)));
    svg.append(group);
  });

  return svg;
}

function describe(row) {
  const parts = row.counts.filter((c) => c.count > 0).map((c) => `${c.count} ${c.label.toLowerCase()}`);
  return `${row.label}: ${count(row.total, 'commitment')}${parts.length ? ` (${parts.join(', ')})` : ''}.`;
}

function legend(statuses) {
  if (statuses.length === 0) {
    return h('p', { class: 'chart__empty' }, 'No commitments.');
  }
  return h('ul', { class: 'legend', 'aria-label': 'Statuses' },
    statuses.map((status) => h('li', { class: 'legend__item' },
      h('span', { class: `swatch ${statusClass(status.key)}`, 'aria-hidden': 'true' }),
      status.label)));
}

function table(rows, statuses, { title, rowHeader, totalRow }) {
  const cell = (value, attributes = {}) => h('td', { class: 'num', ...attributes }, number(value));
  const body = rows.map((row) => h('tr', { dataset: { row: row.key } },
    h('th', { scope: 'row' }, row.label),
    cell(row.total, { dataset: { total: '' } }),
    statuses.map((status) => cell(row.counts.find((c) => c.key === status.key)?.count ?? 0,
      { dataset: { status: status.key } }))));

  const foot = totalRow && rows.length > 1
    ? h('tfoot', {}, h('tr', { dataset: { row: 'all' } },
      h('th', { scope: 'row' }, totalRow),
      cell(rows.reduce((sum, r) => sum + r.total, 0), { dataset: { total: '' } }),
      statuses.map((status) => cell(
        rows.reduce((sum, r) => sum + (r.counts.find((c) => c.key === status.key)?.count ?? 0), 0),
        { dataset: { status: status.key } }))))
    : null;

  return h('details', { class: 'chart__data' },
    h('summary', {}, 'Show the figures as a table'),
    h('table', { class: 'data data--compact' },
      h('caption', {}, title),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, rowHeader),
        h('th', { scope: 'col', class: 'num' }, 'Total'),
        statuses.map((status) => h('th', { scope: 'col', class: 'num' }, status.label)))),
      h('tbody', {}, body),
      foot));
}

// Printed pages show the figures too: open every chart's table while printing.
window.addEventListener('beforeprint', () => {
  for (const details of document.querySelectorAll('details.chart__data:not([open])')) {
    details.setAttribute('open', '');
    details.dataset.openedForPrint = 'true';
  }
});
window.addEventListener('afterprint', () => {
  for (const details of document.querySelectorAll('details[data-opened-for-print]')) {
    details.removeAttribute('open');
    delete details.dataset.openedForPrint;
  }
});
