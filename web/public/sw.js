/* global self, caches, fetch, Headers, Response, URL */
// The Mini App's service worker: the app shell and the hashed static assets are cached, so the
// app opens instantly and offline; GET API answers are kept as a fallback and served, marked
// `x-served-from: offline-cache`, when the network is down (the app then says it is offline).
const SHELL = 'ttb-shell-v1';
const ASSETS = 'ttb-assets-v1';
const API = 'ttb-api-v1';

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(SHELL)
      .then((cache) => cache.addAll(['/', '/favicon.svg']))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  const keep = new Set([SHELL, ASSETS, API]);
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(names.filter((name) => !keep.has(name)).map((name) => caches.delete(name))),
      )
      .then(() => self.clients.claim()),
  );
});

async function shellFirst(request) {
  try {
    const response = await fetch(request);
    if (response.ok) {
      const cache = await caches.open(SHELL);
      await cache.put('/', response.clone());
    }
    return response;
  } catch {
    return (await caches.match('/')) ?? Response.error();
  }
}

async function cacheFirst(request) {
  const cached = await caches.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    const cache = await caches.open(ASSETS);
    await cache.put(request, response.clone());
  }
  return response;
}

async function networkThenStale(request) {
  const cache = await caches.open(API);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request.url, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(request.url);
    if (!cached) throw error;
    const headers = new Headers(cached.headers);
    headers.set('x-served-from', 'offline-cache');
    return new Response(await cached.blob(), { status: cached.status, headers });
  }
}

self.addEventListener('message', (event) => {
  // Signing out or switching users: forget the previous user's data.
  if (event.data?.type === 'clear-api-cache') event.waitUntil(caches.delete(API));
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate') {
    event.respondWith(shellFirst(request));
  } else if (url.pathname.startsWith('/assets/')) {
    event.respondWith(cacheFirst(request));
  } else if (
    url.pathname.startsWith('/api/v1/') &&
    !url.pathname.startsWith('/api/v1/auth') &&
    !url.pathname.startsWith('/api/v1/files') &&
    url.pathname !== '/api/v1/ws'
  ) {
    event.respondWith(networkThenStale(request));
  }
});
