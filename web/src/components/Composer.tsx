import { useQueryClient } from '@tanstack/react-query';
import { Button, Switch } from '@telegram-apps/telegram-ui';
import { useRef, useState } from 'react';
import { ApiError, api } from '../api/client';
import { queryKeys } from '../api/query-keys';
import { realtime } from '../api/realtime';
import { messageLimits, type Message, type Ticket } from '../api/types';
import { t } from '../i18n';
import { haptic } from '../telegram';
import { useUploads } from '../useUploads';
import { FilePicker } from './FilePicker';

/** Writing to a ticket: text, files, and for staff internal notes; says we are typing. */
export function Composer({ ticket, staff }: Readonly<{ ticket: Ticket; staff: boolean }>) {
  const queryClient = useQueryClient();
  const uploads = useUploads();
  const [text, setText] = useState('');
  const [internal, setInternal] = useState(false);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string>();
  const lastTyping = useRef(0);

  if (ticket.status === 'closed') return <p className="hint composer-closed">{t('closedHint')}</p>;

  const send = async () => {
    const content = text.trim();
    if (!content || sending || uploads.uploading) return;
    setSending(true);
    try {
      const deferred = await uploads.finish(ticket.id);
      const ids = [...uploads.ids, ...deferred.map((attachment) => attachment.id)];
      const message = await api<Message>('POST', `/tickets/${ticket.id}/messages`, {
        content,
        ...(internal ? { is_internal: true } : {}),
        ...(ids.length > 0 ? { attachment_ids: ids } : {}),
      });
      queryClient.setQueryData<Message[]>(queryKeys.messages(ticket.id), (current) =>
        current && !current.some((known) => known.id === message.id)
          ? [...current, message]
          : current,
      );
      void queryClient.invalidateQueries({ queryKey: queryKeys.ticket(ticket.id) });
      setText('');
      uploads.reset();
      setError(undefined);
      haptic('success');
    } catch (failure) {
      haptic('error');
      setError(failure instanceof ApiError ? failure.message : t('error'));
    } finally {
      setSending(false);
    }
  };

  return (
    <form
      className={internal ? 'composer internal' : 'composer'}
      onSubmit={(event) => {
        event.preventDefault();
        void send();
      }}
    >
      {staff && (
        <label className="note-toggle">
          <Switch checked={internal} onChange={(event) => setInternal(event.target.checked)} />
          {t('internalNote')}
        </label>
      )}
      <div className="composer-row">
        <FilePicker
          files={uploads.files}
          onPick={(list) => void uploads.pick(list)}
          onRemove={uploads.remove}
          compact
        />
        <textarea
          className="composer-input"
          aria-label={internal ? t('writeNote') : t('writeMessage')}
          placeholder={internal ? t('writeNote') : t('writeMessage')}
          rows={1}
          maxLength={messageLimits.content.maxLength}
          value={text}
          onChange={(event) => {
            setText(event.target.value);
            if (Date.now() - lastTyping.current > 2500) {
              lastTyping.current = Date.now();
              realtime.typing(ticket.id, internal);
            }
          }}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && !event.shiftKey) {
              event.preventDefault();
              void send();
            }
          }}
        />
        <Button
          type="submit"
          size="m"
          loading={sending}
          disabled={!text.trim() || uploads.uploading}
        >
          {t('send')}
        </Button>
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
