import '@telegram-apps/telegram-ui/dist/styles.css';
import './styles.css';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { pickLanguage, setLanguage } from './i18n';
import { launchTelegram } from './telegram';

const launch = launchTelegram();
setLanguage(pickLanguage(launch?.languageCode ?? navigator.language));

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
if (root) createRoot(root).render(<App launch={launch} />);
