/* global URLSearchParams, location, window, fetch */
// Starts signing in while the app's code is still downloading: Telegram put the signed initData
// in the URL hash, and the sign-in request needs nothing else. The app (web/src/api/client.ts)
// takes this response instead of asking again. Plain JS, outside the bundle, so it runs first.
(() => {
  const initData = new URLSearchParams(location.hash.slice(1)).get('tgWebAppData');
  if (!initData || typeof fetch !== 'function') return;
  window.__ttbEarlySignIn = {
    initData,
    response: fetch('/api/v1/auth/telegram', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ init_data: initData }),
    }),
  };
})();
