// The commitment statuses in lifecycle order, with the label shown beside every colour. Colours
// live in the stylesheet (.s-<status>), shared by badges, chart segments and legends.

export const STATUSES = [
  { key: 'proposed', label: 'Proposed' },
  { key: 'agreed', label: 'Agreed' },
  { key: 'in-progress', label: 'In progress' },
  { key: 'completed', label: 'Completed' },
  { key: 'suspended', label: 'Suspended' },
  { key: 'withdrawn', label: 'Withdrawn' },
  { key: 'carried-forward', label: 'Carried forward' },
];

const LABELS = Object.fromEntries(STATUSES.map((status) => [status.key, status.label]));

export function statusLabel(key) {
  return LABELS[key] ?? key ?? 'Unknown';
}

/** { inProgress: 2 } → { 'in-progress': 2 }: counts read the same whichever way the API spells its keys. */
export function kebabKeys(counts) {
  return Object.fromEntries(Object.entries(counts ?? {})
    .map(([key, n]) => [key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`), n]));
}

/** The CSS class carrying a status's colours. */
export function statusClass(key) {
  return LABELS[key] ? `s-${key}` : 's-unknown';
}

/**
 * Counts by status in lifecycle order, statuses this page does not know last (so a new one is shown,
 * not dropped): [{ key, label, count }]. A "total" key beside the statuses is not one of them.
 */
export function countsInOrder(byStatus) {
  const counts = kebabKeys(byStatus);
  const known = STATUSES.map((status) => ({ ...status, count: Number(counts[status.key] ?? 0) }));
  const unknown = Object.keys(counts)
    .filter((key) => !LABELS[key] && key !== 'total')
    .map((key) => ({ key, label: key, count: Number(counts[key] ?? 0) }));
  return [...known, ...unknown];
}
