import '@telegram-apps/telegram-ui/dist/styles.css';
import './styles.css';
import { startTransition } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { languageOf, setLanguage } from './i18n';
import { launchTelegram } from './telegram';

const launch = launchTelegram();
setLanguage(languageOf(launch?.languageCode ?? navigator.language));

if ('serviceWorker' in navigator && import.meta.env.PROD) {
  // After the first screen is up: the worker's install fetches the shell, which must not
  // compete with the page's own requests.
  window.addEventListener('load', () => {
    const register = () => {
      navigator.serviceWorker.register('/sw.js').catch(() => undefined);
    };
    if ('requestIdleCallback' in window) requestIdleCallback(register, { timeout: 5000 });
    else setTimeout(register, 2000);
  });
}

const root = document.getElementById('root');
// A transition renders in slices that yield to the browser every few milliseconds, so the first
// render never holds the main thread in one long task (a phone stays responsive meanwhile).
if (root) startTransition(() => createRoot(root).render(<App launch={launch} />));
