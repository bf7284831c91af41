import type { FieldError, Problem, TokenPair, User } from './types';

/** An answer that was not 2xx, from its problem+json body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
  }
}

interface Session {
  access: string;
  refresh: string;
  user: User;
}

let session: Session | undefined;
let offline = false;
const offlineListeners = new Set<(offline: boolean) => void>();

/** True while answers come from the service worker's cache because the network is down. */
export function isOffline(): boolean {
  return offline;
}

/** Calls `listener` when the app goes offline or comes back. */
export function onOfflineChange(listener: (offline: boolean) => void): () => void {
  offlineListeners.add(listener);
  return () => offlineListeners.delete(listener);
}

function noteOffline(value: boolean): void {
  if (value === offline) return;
  offline = value;
  for (const listener of offlineListeners) listener(value);
}
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let refreshing: Promise<void> | undefined;
const listeners = new Set<(user: User | undefined) => void>();

/** The signed-in user, if any. */
export function currentUser(): User | undefined {
  return session?.user;
}

/** The access token, kept in memory only. */
export function accessToken(): string | undefined {
  return session?.access;
}

/** Calls `listener` whenever the signed-in user changes. */
export function onSessionChange(listener: (user: User | undefined) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function adopt(pair: TokenPair): User {
  session = { access: pair.access_token, refresh: pair.refresh_token, user: pair.user };
  clearTimeout(refreshTimer);
  // Refresh a minute before the access token runs out.
  const delay = Math.max(5, pair.expires_in - 60) * 1000;
  refreshTimer = setTimeout(() => void refresh().catch(() => undefined), delay);
  for (const listener of listeners) listener(pair.user);
  return pair.user;
}

async function problemOf(response: Response): Promise<ApiError> {
  let body: Partial<Problem> = {};
  try {
    body = (await response.json()) as typeof body;
  } catch {
    // not JSON: keep the status alone
  }
  return new ApiError(
    response.status,
    body.code,
    body.detail ?? response.statusText,
    body.errors ?? [],
  );
}

async function post(path: string, body: unknown): Promise<Response> {
  return fetch(`/api/v1${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function signInWith(path: string, body: unknown, early?: Promise<Response>): Promise<User> {
  const response = (await early?.catch(() => undefined)) ?? (await post(path, body));
  if (!response.ok) throw await problemOf(response);
  return adopt((await response.json()) as TokenPair);
}

/** The sign-in request web/public/boot.js started before the app loaded, taken once. */
function takeEarlySignIn(initData: string): Promise<Response> | undefined {
  const holder = window as { __ttbEarlySignIn?: { initData: string; response: Promise<Response> } };
  const early = holder.__ttbEarlySignIn;
  delete holder.__ttbEarlySignIn;
  return early?.initData === initData ? early.response : undefined;
}

/** Signs in with the Mini App's raw `initData` (reusing the request boot.js started early). */
export function signInWithTelegram(initData: string): Promise<User> {
  return signInWith('/auth/telegram', { init_data: initData }, takeEarlySignIn(initData));
}

/** Demo mode: signs in as the seeded demo user of that role. */
export function signInAsDemo(role: string): Promise<User> {
  return signInWith('/auth/demo', { role });
}

/** Spends the refresh token for a new pair, once at a time. */
function refresh(): Promise<void> {
  refreshing ??= (async () => {
    const current = session;
    if (!current) throw new ApiError(401, 'unauthorized', 'Not signed in');
    const response = await post('/auth/refresh', { refresh_token: current.refresh });
    if (!response.ok) {
      session = undefined;
      for (const listener of listeners) listener(undefined);
      throw await problemOf(response);
    }
    adopt((await response.json()) as TokenPair);
  })().finally(() => {
    refreshing = undefined;
  });
  return refreshing;
}

/**
 * A GET that web/public/boot.js started right after its early sign-in (with that session's
 * token), taken once. Boot prefetches only when its sign-in is the one the app adopts.
 */
function takePrefetched(path: string): Promise<Response> | undefined {
  const holder = window as { __ttbPrefetch?: Record<string, Promise<Response> | undefined> };
  const prefetched = holder.__ttbPrefetch?.[path];
  if (holder.__ttbPrefetch) delete holder.__ttbPrefetch[path];
  return prefetched;
}

/** Calls the API with the access token; refreshes it and retries once on `token_invalid`. */
export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<T> {
  const send = () =>
    fetch(`/api/v1${path}`, {
      method,
      headers: {
        // Tells the API a ticket opened here came from the Mini App (its `channel`).
        'x-client': 'mini-app',
        ...(session ? { authorization: `Bearer ${session.access}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(signal ? { signal } : {}),
    });
  const early = method === 'GET' && session ? takePrefetched(path) : undefined;
  let response = (await early?.catch(() => undefined)) ?? (await send());
  if (response.status === 401 && session) {
    const problem = await problemOf(response.clone());
    if (problem.code === 'token_invalid') {
      await refresh();
      response = await send();
    }
  }
  if (method === 'GET') noteOffline(response.headers.get('x-served-from') === 'offline-cache');
  if (!response.ok) throw await problemOf(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** Builds a query string from the defined, non-empty values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/**
 * Uploads one file as multipart with progress (fetch cannot report upload progress).
 * Resolves with the parsed JSON answer.
 */
export function upload<T>(
  path: string,
  file: Blob,
  name: string,
  onProgress: (share: number) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v1${path}`);
    if (session) xhr.setRequestHeader('authorization', `Bearer ${session.access}`);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', 'Network error'));
    xhr.onload = () => {
      let body: Partial<Problem> = {};
      try {
        body = JSON.parse(xhr.responseText) as typeof body;
      } catch {
        // keep empty
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as T);
      else
        reject(
          new ApiError(xhr.status, body.code, body.detail ?? xhr.statusText, body.errors ?? []),
        );
    };
    const form = new FormData();
    form.append('file', file, name);
    xhr.send(form);
  });
}

/** A file the API sent, read whole. */
export interface DownloadedFile {
  blob: Blob;
  /** From `Content-Disposition`, else `fallbackName`. */
  name: string;
}

/** The file name of a `Content-Disposition` header (RFC 6266: `filename*` first). */
function fileNameOf(disposition: string | null): string | undefined {
  if (!disposition) return undefined;
  const extended = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (extended?.[1]) return decodeURIComponent(extended[1]);
  return /filename="?([^";]+)"?/i.exec(disposition)?.[1];
}

/**
 * Downloads a file from the API with the access token, reading the stream to report the bytes
 * received so far (a streamed export has no length to show a share of).
 */
export async function download(
  path: string,
  fallbackName: string,
  onProgress: (bytes: number) => void,
  signal?: AbortSignal,
): Promise<DownloadedFile> {
  const send = () =>
    fetch(`/api/v1${path}`, {
      headers: session ? { authorization: `Bearer ${session.access}` } : {},
      ...(signal ? { signal } : {}),
    });
  let response = await send();
  if (response.status === 401 && session) {
    const problem = await problemOf(response.clone());
    if (problem.code === 'token_invalid') {
      await refresh();
      response = await send();
    }
  }
  if (!response.ok) throw await problemOf(response);
  const chunks: Uint8Array[] = [];
  let received = 0;
  const reader = response.body?.getReader();
  if (reader) {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.length;
      onProgress(received);
    }
  }
  const type = response.headers.get('content-type') ?? 'application/octet-stream';
  return {
    blob: new Blob(chunks as BlobPart[], { type }),
    name: fileNameOf(response.headers.get('content-disposition')) ?? fallbackName,
  };
}

/**
 * A file the API links to (an avatar's `/api/v1/users/{id}/avatar?v=…`) as an object URL for an
 * `<img>`, fetched with the access token, which an `<img src>` cannot send.
 */
export async function objectUrlOf(url: string, signal?: AbortSignal): Promise<string> {
  const response = await fetch(url, {
    headers: session ? { authorization: `Bearer ${session.access}` } : {},
    ...(signal ? { signal } : {}),
  });
  if (!response.ok) throw await problemOf(response);
  return URL.createObjectURL(await response.blob());
}
