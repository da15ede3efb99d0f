// "/signed-in": where the identity provider sends the browser back with an authorization code. The
// page exchanges it (with the PKCE verifier kept in this tab) for an access token, keeps the token and
// returns to the page the sign-in started from; a failure is explained, never a blank page.

import { currentSession } from '../access.js';
import { notice, pageHeader, setTitle } from '../components.js';
import { h, replaceChildren } from '../dom.js';
import { completeSignIn } from '../signin.js';

/** Only a path of this site: never a redirect elsewhere. */
function safePath(path) {
  return typeof path === 'string' && path.startsWith('/') && !path.startsWith('//') ? path : '/';
}

export async function render(main, _params, search) {
  setTitle('Signing in');
  // The provider answers in the fragment (see signin.js); take it out of the address at once.
  const answer = location.hash.length > 1 ? new URLSearchParams(location.hash.slice(1)) : search;
  history.replaceState(null, '', location.pathname);
  const signIn = currentSession()?.signIn;
  if (!signIn) {
    replaceChildren(main, pageHeader({ title: 'Signing in' }),
      notice('warning', 'This ledger signs nobody in through an identity provider: use a token (the button at the top right).'));
    return;
  }

  replaceChildren(main, pageHeader({ title: 'Signing in' }), h('p', { class: 'loading' }, 'Finishing the sign-in with the identity provider…'));
  const outcome = await completeSignIn(signIn, answer);
  if (outcome.ok) {
    location.replace(safePath(outcome.returnTo));
    return;
  }
  replaceChildren(main, pageHeader({ title: 'Not signed in' }),
    notice('error', outcome.message),
    h('p', {}, h('a', { href: safePath(outcome.returnTo) }, 'Back to the page you were on')));
}
