import { Button, Spinner } from '@telegram-apps/telegram-ui';
import { useState } from 'react';
import { api, ApiError, download, query } from '../../../api/client';
import { ta } from '../../../i18n/analytics';
import { formatBytes } from '../../../i18n/console';
import { haptic } from '../../../telegram';
import { refusalText } from '../refusal';
import { saveFile } from '../save-file';

/** The period and filters of the page, as the stats and report endpoints take them. */
export type ReportQuery = Record<string, string | undefined>;

interface Toast {
  busy: boolean;
  text: string;
  error?: boolean;
}

/**
 * The period's report: downloaded as PDF or Excel (saved as the people export saves its file), or
 * sent by the bot to the user's Telegram chat as a document.
 */
export function ReportButtons({ params }: Readonly<{ params: ReportQuery }>) {
  const [toast, setToast] = useState<Toast>();
  const fail = (error: unknown) => {
    haptic('error');
    const text =
      error instanceof ApiError && error.code === 'no_telegram_chat'
        ? ta('noTelegramChat')
        : ta('failed', { reason: refusalText(error) });
    setToast({ busy: false, error: true, text });
  };
  const fetchFile = async (format: 'pdf' | 'xlsx') => {
    haptic('tap');
    setToast({ busy: true, text: ta('downloading', { size: formatBytes(0) }) });
    try {
      const file = await download(
        `/reports${query({ ...params, format })}`,
        `report.${format}`,
        (bytes) => setToast({ busy: true, text: ta('downloading', { size: formatBytes(bytes) }) }),
      );
      saveFile(file);
      haptic('success');
      setToast({
        busy: false,
        text: ta('saved', { name: file.name, size: formatBytes(file.blob.size) }),
      });
    } catch (error) {
      fail(error);
    }
  };
  const send = async () => {
    haptic('tap');
    setToast({ busy: true, text: ta('sending') });
    try {
      await api('POST', '/reports/send', { format: 'pdf', ...params });
      haptic('success');
      setToast({ busy: false, text: ta('sent') });
    } catch (error) {
      fail(error);
    }
  };
  const busy = toast?.busy ?? false;
  return (
    <div className="report-buttons">
      <Button size="s" mode="bezeled" disabled={busy} onClick={() => void fetchFile('pdf')}>
        {ta('downloadPdf')}
      </Button>
      <Button size="s" mode="bezeled" disabled={busy} onClick={() => void fetchFile('xlsx')}>
        {ta('downloadXlsx')}
      </Button>
      <Button size="s" mode="bezeled" disabled={busy} onClick={() => void send()}>
        {ta('sendToTelegram')}
      </Button>
      {toast && (
        <p
          className={toast.error ? 'report-toast error-text' : 'report-toast notice'}
          role="status"
          aria-busy={toast.busy}
        >
          {toast.busy && <Spinner size="s" />}
          <span>{toast.text}</span>
        </p>
      )}
    </div>
  );
}
