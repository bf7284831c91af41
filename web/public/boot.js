/* global URLSearchParams, location, window, fetch, sessionStorage */
// Starts signing in while the app's code is still downloading: Telegram put the signed initData
// in the URL hash, and the sign-in request needs nothing else. The app (web/src/api/client.ts)
// takes this response instead of asking again. Plain JS, outside the bundle, so it runs first.
//
// When the launch opens the dashboard as it first appears (no start parameter, no filters kept
// in this tab), the dashboard's first requests follow the sign-in at once, and the app takes
// those answers too (`takePrefetched` in client.ts). The URLs must match what
// web/src/pages/Dashboard.tsx asks for; a mismatch costs only the head start.
(() => {
  const hash = new URLSearchParams(location.hash.slice(1));
  const initData = hash.get('tgWebAppData');
  if (!initData || typeof fetch !== 'function') return;
  const response = fetch('/api/v1/auth/telegram', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ init_data: initData }),
  });
  window.__ttbEarlySignIn = { initData, response };

  const startParam =
    hash.get('tgWebAppStartParam') || new URLSearchParams(location.search).get('startapp');
  const kept = ['dashboard.queue', 'dashboard.filters', 'dashboard.search'].some(
    (key) => sessionStorage.getItem(key) !== null,
  );
  if (location.pathname !== '/' || startParam || kept) return;
  const prefetched = {};
  window.__ttbPrefetch = prefetched;
  response
    .then((answer) => (answer.ok ? answer.clone().json() : undefined))
    .then((pair) => {
      if (!pair) return;
      // Staff open on the Unassigned queue, latest activity first; customers on all their
      // tickets.
      const staff = pair.user.role !== 'user';
      const scope = staff ? '?assigned_to=none' : '';
      const paths = [
        `/tickets/counts${scope}`,
        `/tickets${staff ? '?assigned_to=none&sort=-updated_at&' : '?'}limit=30`,
        '/categories?limit=100',
      ];
      for (const path of paths) {
        prefetched[path] = fetch(`/api/v1${path}`, {
          headers: { authorization: `Bearer ${pair.access_token}` },
        });
      }
    })
    .catch(() => undefined);
})();
