// The header's access area: who is signed in (user, role, organization, until when, as the ledger read
// the token), sign-out, and otherwise sign-in through the identity provider (when the ledger has one
// for the pages) or a pasted bearer token.

import { caller, currentSession, currentToken, saveToken, tokenRefused } from './access.js';
import { h, replaceChildren } from './dom.js';
import * as format from './format.js';
import { startSignIn } from './signin.js';

/** "Focal point", "Secretariat"… */
export function roleLabel(role) {
  return format.words(role);
}

function tokenDialog(session) {
  const dialog = h('dialog', { class: 'token-dialog', 'aria-labelledby': 'token-title' });
  const input = h('textarea', {
    id: 'token-input', rows: '4', spellcheck: 'false', autocomplete: 'off', placeholder: 'eyJhbGciOi…',
  });
  const where = session?.tokens === 'provider'
    ? ['Paste an access token that this ledger\'s identity provider issued for it.']
    : ['Paste a token minted with ', h('code', {}, 'dotnet run --project src/Ledger.Host -- token --role auditor'), '.'];
  const form = h('form', { method: 'dialog' },
    h('h2', { id: 'token-title' }, 'Use a bearer token'),
    h('p', {}, ...where, ' It is kept for this tab only and sent only to this ledger. '
      + 'Its role decides what the pages offer: an auditor sees each commitment\'s event history, the secretariat and focal points get forms.'),
    h('label', { for: 'token-input' }, 'Token'),
    input,
    h('div', { class: 'token-dialog__actions' },
      h('button', { type: 'submit', value: 'save', class: 'button button--primary' }, 'Use token'),
      h('button', { type: 'submit', value: 'cancel', class: 'button' }, 'Cancel')));
  dialog.append(form);
  dialog.addEventListener('close', () => {
    if (dialog.returnValue === 'save' && input.value.trim()) {
      saveToken(input.value);
      location.reload();
    }
  });
  return dialog;
}

function signOut() {
  saveToken(null);
  location.reload();
}

/** Renders the header's access area into its container. */
export function renderAccess(container) {
  const session = currentSession();
  const who = caller();
  const dialog = tokenDialog(session);
  const useToken = h('button', {
    type: 'button', class: 'access__button', dataset: { action: 'use-token' }, onclick: () => dialog.showModal(),
  }, 'Use a token');

  if (who) {
    const until = who.expiresAt ? ` until ${format.instant(who.expiresAt)}` : '';
    replaceChildren(container,
      h('p', {
        class: 'access__who',
        dataset: { user: who.user, roles: who.roles.join(' '), organization: who.organization ?? '' },
        title: who.checked ? `Signed in${until}` : 'The ledger could not be asked about this token',
      },
      h('span', { class: 'access__label' }, 'Signed in as '),
      h('strong', { class: 'access__user' }, who.user),
      h('span', { class: 'access__role' }, who.roles.map(roleLabel).join(', ') || 'no role'),
      who.organization ? h('span', { class: 'access__org' }, who.organization) : null),
      h('button', { type: 'button', class: 'access__button', dataset: { action: 'sign-out' }, onclick: signOut }, 'Sign out'),
      dialog);
    return;
  }

  const status = h('p', { class: 'access__status', role: 'status' });
  const signIn = session?.signIn
    ? h('button', {
      type: 'button',
      class: 'access__button access__button--primary',
      dataset: { action: 'sign-in' },
      onclick: async (event) => {
        const button = event.currentTarget;
        button.disabled = true;
        status.textContent = 'Going to the identity provider…';
        try {
          await startSignIn(session.signIn, `${location.pathname}${location.search}`);
        } catch (error) {
          button.disabled = false;
          status.textContent = error.message;
        }
      },
    }, 'Sign in')
    : null;
  const refused = tokenRefused() && currentToken()
    ? h('p', { class: 'access__warning', dataset: { refused: 'true' } },
      'The token of this tab is not accepted (expired, or not for this ledger). ',
      h('button', { type: 'button', class: 'link-button', dataset: { action: 'forget-token' }, onclick: signOut }, 'Forget it'))
    : null;
  replaceChildren(container, refused, signIn, useToken, status, dialog);
}
