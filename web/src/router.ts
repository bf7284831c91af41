import { useSyncExternalStore } from 'react';

/** A page of the app, from the path. */
export type Route =
  | { name: 'dashboard' }
  | { name: 'new' }
  | { name: 'ticket'; id: string }
  | { name: 'ticketNumber'; number: number }
  | { name: 'notifications' }
  | { name: 'cannedReplies' }
  | { name: 'admin' }
  | { name: 'adminUsers' }
  | { name: 'adminUser'; id: string }
  | { name: 'adminCategories' }
  | { name: 'adminSettings' }
  | { name: 'adminAnalytics' };

/** The pages a `startapp` parameter opens (the bot's `/admin` button sends `admin`). */
export const startPages: Readonly<Record<string, string>> = {
  admin: '/admin',
  admin_users: '/admin/users',
  admin_categories: '/admin/categories',
  admin_settings: '/admin/settings',
  admin_analytics: '/admin/analytics',
  notifications: '/notifications',
  canned_replies: '/canned-replies',
};

const subscribers = new Set<() => void>();
window.addEventListener('popstate', () => subscribers.forEach((notify) => notify()));

/** The route of a path. */
export function parseRoute(path: string): Route {
  if (path === '/new') return { name: 'new' };
  if (path === '/notifications') return { name: 'notifications' };
  if (path === '/canned-replies') return { name: 'cannedReplies' };
  if (path === '/admin') return { name: 'admin' };
  if (path === '/admin/users') return { name: 'adminUsers' };
  if (path === '/admin/categories') return { name: 'adminCategories' };
  if (path === '/admin/settings') return { name: 'adminSettings' };
  if (path === '/admin/analytics') return { name: 'adminAnalytics' };
  const person = /^\/admin\/users\/([\w-]+)$/.exec(path);
  if (person?.[1]) return { name: 'adminUser', id: person[1] };
  const ticket = /^\/tickets\/([\w-]+)$/.exec(path);
  if (ticket?.[1]) return { name: 'ticket', id: ticket[1] };
  const number = /^\/n\/(\d+)$/.exec(path);
  if (number?.[1]) return { name: 'ticketNumber', number: Number(number[1]) };
  return { name: 'dashboard' };
}

let depth = 0;

/** Goes to `path`; `replace` keeps the history length. */
export function navigate(path: string, replace = false): void {
  if (replace) history.replaceState(null, '', path);
  else {
    history.pushState(null, '', path);
    depth += 1;
  }
  subscribers.forEach((notify) => notify());
}

/** Back within the app, or to the dashboard when there is no app page to go back to. */
export function goBack(): void {
  if (depth > 0) {
    depth -= 1;
    history.back();
  } else navigate('/', true);
}

/** The current path, re-rendering on navigation. */
export function usePath(): string {
  return useSyncExternalStore(
    (notify) => {
      subscribers.add(notify);
      return () => subscribers.delete(notify);
    },
    () => location.pathname,
  );
}
