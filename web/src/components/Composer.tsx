import { useQueryClient } from '@tanstack/react-query';
import { Button, Switch } from '@telegram-apps/telegram-ui';
import { useEffect, useRef, useState } from 'react';
import { ApiError, api } from '../api/client';
import { queryKeys } from '../api/query-keys';
import { realtime } from '../api/realtime';
import { messageLimits, type CannedReply, type Message, type Ticket } from '../api/types';
import { t } from '../i18n';
import { haptic } from '../telegram';
import { useUploads } from '../useUploads';
import { CannedPicker, cannedOptionId, cannedPickerId, useCannedReplies } from './CannedPicker';
import { slashQuery } from './canned-search';
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
  const input = useRef<HTMLTextAreaElement>(null);
  // Staff: a `/query` at the start of a line opens the canned replies (`CannedPicker.tsx`).
  const [caret, setCaret] = useState(0);
  const [dismissed, setDismissed] = useState<number>();
  const [active, setActive] = useState(0);
  const [placeCaret, setPlaceCaret] = useState<number>();
  const slash = staff ? slashQuery(text, caret) : undefined;
  const open = slash !== undefined && dismissed !== slash.start;
  const canned = useCannedReplies(ticket, open ? slash.query : undefined);
  const slashKey = open ? `${slash.start}:${slash.query}` : '';
  useEffect(() => setActive(0), [slashKey]);
  useEffect(() => {
    if (placeCaret === undefined || !input.current) return;
    input.current.focus();
    input.current.setSelectionRange(placeCaret, placeCaret);
    setCaret(placeCaret);
    setPlaceCaret(undefined);
  }, [placeCaret]);

  /** Puts the reply, filled for this ticket, in place of the `/query`. */
  const pick = async (reply: CannedReply) => {
    if (!slash) return;
    try {
      const filled = await api<{ text: string }>(
        'GET',
        `/canned-replies/${reply.id}/filled?ticket_id=${ticket.id}`,
      );
      const next = text.slice(0, slash.start) + filled.text + text.slice(caret);
      setText(next.slice(0, messageLimits.content.maxLength));
      setPlaceCaret(Math.min(slash.start + filled.text.length, messageLimits.content.maxLength));
      setError(undefined);
    } catch (failure) {
      haptic('error');
      setError(failure instanceof ApiError ? failure.message : t('error'));
    }
  };

  /** The picker's keys: arrows move, Enter or Tab picks, Escape closes; true when taken. */
  const pickerKey = (event: React.KeyboardEvent): boolean => {
    if (!open) return false;
    const count = canned.items.length;
    if (event.key === 'Escape') setDismissed(slash.start);
    else if (event.key === 'ArrowDown' && count > 0) setActive((active + 1) % count);
    else if (event.key === 'ArrowUp' && count > 0) setActive((active - 1 + count) % count);
    else if ((event.key === 'Enter' || event.key === 'Tab') && !event.shiftKey && count > 0) {
      const reply = canned.items[active];
      if (reply) void pick(reply);
    } else return false;
    event.preventDefault();
    return true;
  };
  const activeReply = open ? canned.items[active] : undefined;

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
      {open && (
        <CannedPicker
          items={canned.items}
          loading={canned.loading}
          any={canned.any}
          active={active}
          onPick={(reply) => void pick(reply)}
        />
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
          ref={input}
          {...(staff
            ? {
                'aria-autocomplete': 'list' as const,
                ...(open ? { 'aria-controls': cannedPickerId } : {}),
                ...(activeReply ? { 'aria-activedescendant': cannedOptionId(activeReply.id) } : {}),
              }
            : {})}
          onSelect={(event) => setCaret(event.currentTarget.selectionStart)}
          onChange={(event) => {
            setText(event.target.value);
            setCaret(event.target.selectionStart);
            if (slashQuery(event.target.value, event.target.selectionStart) === undefined) {
              setDismissed(undefined);
            }
            if (Date.now() - lastTyping.current > 2500) {
              lastTyping.current = Date.now();
              realtime.typing(ticket.id, internal);
            }
          }}
          onKeyDown={(event) => {
            if (pickerKey(event)) return;
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
