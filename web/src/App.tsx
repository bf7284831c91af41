import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { AppRoot, Spinner } from '@telegram-apps/telegram-ui';
import { lazy, Suspense, useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import { ApiError, onOfflineChange, isOffline, signInWithTelegram } from './api/client';
import { queryKeys } from './api/query-keys';
import { realtime } from './api/realtime';
import type { User } from './api/types';
import { languageOf, setLanguage, t } from './i18n';
import { navigate, parseRoute, startPages, usePath } from './router';
import type { Launch } from './telegram';
import { isDarkTheme, onThemeChange } from './theme';

const loadDashboard = () => import('./pages/Dashboard');
const Dashboard = lazy(loadDashboard);
const NewTicket = lazy(() => import('./pages/NewTicket'));
const TicketPage = lazy(() => import('./pages/TicketPage'));
const TicketByNumber = lazy(() => import('./pages/TicketByNumber'));
const Welcome = lazy(() => import('./pages/Welcome'));
// The admin console and the notification centre: chunks of their own, fetched when opened.
const Notifications = lazy(() => import('./pages/Notifications'));
const CannedReplies = lazy(() => import('./pages/CannedReplies'));
const AdminHome = lazy(() => import('./pages/admin/AdminHome'));
const People = lazy(() => import('./pages/admin/People'));
const Person = lazy(() => import('./pages/admin/Person'));
const Categories = lazy(() => import('./pages/admin/Categories'));
const Settings = lazy(() => import('./pages/admin/Settings'));
// With the chart library: only this chunk carries it.
const Analytics = lazy(() => import('./pages/admin/Analytics'));

const queryClient = new QueryClient({
  defaultOptions: {
    queries: { staleTime: 30_000, gcTime: 10 * 60_000, retry: 1, refetchOnWindowFocus: true },
  },
});

/** Telegram's theme (or the system's setting outside Telegram), as it changes. */
function useDarkTheme(): boolean {
  return useSyncExternalStore(onThemeChange, isDarkTheme);
}

function useOffline(): boolean {
  return useSyncExternalStore(onOfflineChange, isOffline);
}

/**
 * The lists refetch at most this often: staff sockets get every ticket's messages and changes
 * (for the queues), and a busy desk must not refetch once per event.
 */
const listRefreshMs = 1000;

/**
 * Live updates: any ticket change or new message refreshes the lists and counters, at once for
 * the first and then at most once per `listRefreshMs`, the last change always included.
 */
function followTicketEvents(): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pending = false;
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: queryKeys.tickets() });
    void queryClient.invalidateQueries({ queryKey: queryKeys.counts() });
    void queryClient.invalidateQueries({ queryKey: queryKeys.unreadCount() });
    void queryClient.invalidateQueries({ queryKey: queryKeys.notifications() });
    timer = setTimeout(() => {
      timer = undefined;
      if (pending) {
        pending = false;
        refresh();
      }
    }, listRefreshMs);
  };
  const offFrame = realtime.onFrame((frame) => {
    if (
      !frame.type.startsWith('ticket.') &&
      !frame.type.startsWith('notification.') &&
      frame.type !== 'message.created'
    ) {
      return;
    }
    if (timer) pending = true;
    else refresh();
  });
  const offReconnect = realtime.onReconnect(() => void queryClient.invalidateQueries());
  return () => {
    clearTimeout(timer);
    offFrame();
    offReconnect();
  };
}

function Centered({ children }: Readonly<{ children: React.ReactNode }>) {
  return <div className="centered">{children}</div>;
}

function Pages({ user }: Readonly<{ user: User }>) {
  const route = parseRoute(usePath());
  switch (route.name) {
    case 'new':
      return <NewTicket />;
    case 'ticket':
      return <TicketPage id={route.id} user={user} />;
    case 'ticketNumber':
      return <TicketByNumber number={route.number} />;
    case 'notifications':
      return <Notifications user={user} />;
    case 'cannedReplies':
      return <CannedReplies user={user} />;
    case 'admin':
      return <AdminHome user={user} />;
    case 'adminUsers':
      return <People user={user} />;
    case 'adminUser':
      return <Person id={route.id} user={user} />;
    case 'adminCategories':
      return <Categories user={user} />;
    case 'adminSettings':
      return <Settings user={user} />;
    case 'adminAnalytics':
      return <Analytics user={user} />;
    default:
      return <Dashboard user={user} />;
  }
}

/** Signs in (Telegram, or demo outside it) and shows the page the path names. */
export function App({ launch }: Readonly<{ launch: Launch | undefined }>) {
  const dark = useDarkTheme();
  const offline = useOffline();
  const [user, setUser] = useState<User>();
  const [failure, setFailure] = useState<string>();

  const signedIn = useCallback(
    (next: User) => {
      if (localStorage.getItem('ttb.user') !== next.id) {
        navigator.serviceWorker?.controller?.postMessage({ type: 'clear-api-cache' });
        localStorage.setItem('ttb.user', next.id);
      }
      setLanguage(languageOf(next.language_code ?? launch?.languageCode));
      setUser(next);
      realtime.start();
    },
    [launch],
  );

  useEffect(() => followTicketEvents(), []);

  useEffect(() => {
    if (!launch) return;
    // Fetch the first page's code while signing in, not after.
    if (location.pathname === '/' && !launch.startParam) void loadDashboard();
    signInWithTelegram(launch.initData)
      .then((next) => {
        const ticket = /^ticket_(\d+)$/.exec(launch.startParam ?? '');
        const page = startPages[launch.startParam ?? ''];
        if (ticket?.[1]) navigate(`/n/${ticket[1]}`, true);
        else if (page) navigate(page, true);
        signedIn(next);
      })
      .catch((error: unknown) =>
        setFailure(error instanceof ApiError ? error.message : t('signInFailed')),
      );
  }, [launch, signedIn]);

  const platform = launch && ['ios', 'macos'].includes(launch.platform) ? 'ios' : 'base';
  let content: React.ReactNode;
  if (user) content = <Pages user={user} />;
  else if (failure) {
    content = (
      <Centered>
        <h1 className="headline">{t('signInFailed')}</h1>
        <p className="hint">{failure}</p>
      </Centered>
    );
  } else if (launch) {
    content = (
      <Centered>
        <Spinner size="l" />
        <p className="hint">{t('signingIn')}</p>
      </Centered>
    );
  } else content = <Welcome onSignedIn={signedIn} />;

  return (
    <QueryClientProvider client={queryClient}>
      <AppRoot appearance={dark ? 'dark' : 'light'} platform={platform} className="app">
        {offline && (
          <div className="offline" role="status">
            {t('offline')}
          </div>
        )}
        <Suspense
          fallback={
            <Centered>
              <Spinner size="l" />
            </Centered>
          }
        >
          {content}
        </Suspense>
      </AppRoot>
    </QueryClientProvider>
  );
}
