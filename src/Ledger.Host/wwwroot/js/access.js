// Optional bearer token for this browser tab. The pages themselves are public; the JSON they read
// may need a token (when Ledger:Dashboards:Public is off) and the event history needs an auditor's.
// The token is kept in sessionStorage: it lives as long as the tab and is sent only to this host.
// The role read from it here only decides what to ask for; the ledger checks every request itself.

import { h, replaceChildren } from './dom.js';

const KEY = 'ledger.token';

export function currentToken() {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function authorizationHeader() {
  const token = currentToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/** The token's claims as the page reads them ({ sub, role, org }), or null without a readable token. */
export function claims() {
  const token = currentToken();
  if (!token) {
    return null;
  }
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = atob(payload.padEnd(payload.length + ((4 - (payload.length % 4)) % 4), '='));
    return JSON.parse(json);
  } catch {
    return null;
  }
}

export function hasRole(role) {
  const granted = claims()?.role;
  return Array.isArray(granted) ? granted.includes(role) : granted === role;
}

function save(token) {
  try {
    if (token) {
      sessionStorage.setItem(KEY, token);
    } else {
      sessionStorage.removeItem(KEY);
    }
  } catch {
    // Storage refused (private mode): the page stays anonymous.
  }
}

/** Renders the header's access control: who the page reads as, and a form to paste a token. */
export function renderAccess(container) {
  const who = claims();
  const label = who
    ? `Token: ${[who.role].flat().join(', ')}${who.org ? ` (${who.org})` : ''}`
    : 'Use a token';

  const dialog = h('dialog', { class: 'token-dialog', 'aria-labelledby': 'token-title' });
  const input = h('textarea', {
    id: 'token-input', rows: '4', spellcheck: 'false', autocomplete: 'off',
    placeholder: 'eyJhbGciOi…',
  });
  const form = h('form', { method: 'dialog' },
    h('h2', { id: 'token-title' }, 'Use a bearer token'),
    h('p', {}, 'Paste a token minted with ',
      h('code', {}, 'dotnet run --project src/Ledger.Host -- token --role auditor'),
      '. It is kept for this tab only and sent only to this ledger. An auditor token shows each commitment\'s event history.'),
    h('label', { for: 'token-input' }, 'Token'),
    input,
    h('div', { class: 'token-dialog__actions' },
      h('button', { type: 'submit', value: 'save', class: 'button button--primary' }, 'Use token'),
      who ? h('button', { type: 'submit', value: 'clear', class: 'button' }, 'Forget token') : null,
      h('button', { type: 'submit', value: 'cancel', class: 'button' }, 'Cancel')));
  dialog.append(form);
  dialog.addEventListener('close', () => {
    if (dialog.returnValue === 'save' && input.value.trim()) {
      save(input.value.trim().replace(/^Bearer\s+/i, ''));
      location.reload();
    } else if (dialog.returnValue === 'clear') {
      save(null);
      location.reload();
    }
  });

  const button = h('button', { type: 'button', class: 'access__button', onclick: () => dialog.showModal() }, label);
  replaceChildren(container, button, dialog);
}
