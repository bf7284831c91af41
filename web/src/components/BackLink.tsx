import { t } from '../i18n';
import { inTelegram } from '../telegram';

/**
 * Back, where Telegram shows no Back Button (outside Telegram, or a client the SDK cannot attach
 * to): a control at the top of the page. Inside Telegram its own button does it (`useBackButton`).
 */
export function BackLink({ onBack }: Readonly<{ onBack: () => void }>) {
  if (inTelegram()) return null;
  return (
    <button type="button" className="back-link" onClick={onBack}>
      <span aria-hidden="true">‹</span>
      {t('back')}
    </button>
  );
}
