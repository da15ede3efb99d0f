// The dashboard's entry point: the host answers index.html for every dashboard route, and this
// script renders the view the path names. Links are plain links (full page loads): every page can
// be bookmarked, shared, reloaded and printed as it is.

import { loadSession } from './access.js';
import { notice, pageHeader, setTitle } from './components.js';
import { replaceChildren } from './dom.js';
import { renderAccess } from './header.js';
import * as activity from './views/activity.js';
import * as commitment from './views/commitment.js';
import * as country from './views/country.js';
import * as home from './views/home.js';
import * as meeting from './views/meeting.js';
import * as organization from './views/organization.js';
import * as overdue from './views/overdue.js';
import * as signedIn from './views/signed-in.js';

// Keep in step with WebHosting.PageRoutes on the server.
const ROUTES = [
  { pattern: /^\/$/, view: home, nav: 'home' },
  { pattern: /^\/meetings\/(?<code>[^/]+)$/, view: meeting, nav: 'home' },
  { pattern: /^\/organizations\/(?<code>[^/]+)$/, view: organization },
  { pattern: /^\/countries\/(?<iso3>[^/]+)$/, view: country },
  { pattern: /^\/overdue$/, view: overdue, nav: 'overdue' },
  { pattern: /^\/activity$/, view: activity, nav: 'activity' },
  { pattern: /^\/commitments\/(?<code>[^/]+)$/, view: commitment },
  { pattern: /^\/signed-in$/, view: signedIn },
];

function match(path) {
  for (const route of ROUTES) {
    const found = route.pattern.exec(path);
    if (found) {
      const params = Object.fromEntries(Object.entries(found.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)]));
      return { ...route, params };
    }
  }
  return null;
}

function markNavigation(current) {
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (link.dataset.nav === current) {
      link.setAttribute('aria-current', 'page');
    }
  }
}

async function start() {
  // Who is signed in, as the ledger reads this tab's token, decides what the header and the views offer.
  await loadSession();
  renderAccess(document.getElementById('access'));
  const main = document.getElementById('main');
  const path = location.pathname.length > 1 ? location.pathname.replace(/\/+$/, '') : '/';
  const route = match(path);
  markNavigation(route?.nav);
  try {
    if (route) {
      await route.view.render(main, route.params, new URLSearchParams(location.search));
    } else {
      setTitle('Not found');
      replaceChildren(main, pageHeader({ title: 'Page not found' }), notice('warning', 'No dashboard page has this address.'));
    }
  } catch (error) {
    replaceChildren(main, pageHeader({ title: 'This page failed' }),
      notice('error', 'The page could not be drawn. Reload it; if it fails again, report the address to the secretariat.'));
    console.error(error);
  } finally {
    main.setAttribute('aria-busy', 'false');
    document.body.dataset.state = 'ready';
  }
}

start();
