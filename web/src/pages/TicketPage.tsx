import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Placeholder, Spinner } from '@telegram-apps/telegram-ui';
import { Fragment, useEffect, useRef, useState } from 'react';
import { ApiError, api } from '../api/client';
import { queryKeys } from '../api/query-keys';
import { realtime } from '../api/realtime';
import {
  isStaff,
  type AttachmentList,
  type Message,
  type Page,
  type Ticket,
  type User,
} from '../api/types';
import { AttachmentView } from '../components/AttachmentView';
import { BackLink } from '../components/BackLink';
import { Composer } from '../components/Composer';
import { RatingCard } from '../components/RatingCard';
import { TicketInfo } from '../components/TicketInfo';
import { useBackButton } from '../hooks';
import { formatDay, formatTime, t } from '../i18n';
import { goBack } from '../router';

/** All of a ticket's messages, oldest first. */
async function fetchMessages(ticketId: string, signal: AbortSignal): Promise<Message[]> {
  const messages: Message[] = [];
  let cursor: string | null = null;
  do {
    const suffix: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page: Page<Message> = await api<Page<Message>>(
      'GET',
      `/tickets/${ticketId}/messages?limit=100${suffix}`,
      undefined,
      signal,
    );
    messages.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return messages;
}

interface Typist {
  name: string;
  until: number;
}

/** Live updates of one ticket over the WebSocket: messages, changes, typing. */
function useLiveTicket(ticketId: string): Typist | undefined {
  const queryClient = useQueryClient();
  const [typist, setTypist] = useState<Typist>();
  useEffect(() => {
    const unsubscribe = realtime.subscribe(ticketId);
    const off = realtime.onFrame((frame) => {
      if (frame.ticket_id !== ticketId) return;
      if (frame.type === 'message.created') {
        const message = frame.data as Message;
        queryClient.setQueryData<Message[]>(queryKeys.messages(ticketId), (current) =>
          current && !current.some((known) => known.id === message.id)
            ? [...current, message]
            : current,
        );
        setTypist(undefined);
        if (message.attachments.length > 0) {
          void queryClient.invalidateQueries({ queryKey: queryKeys.ticketFiles(ticketId) });
        }
      } else if (frame.type.startsWith('message.')) {
        void queryClient.invalidateQueries({ queryKey: queryKeys.messages(ticketId) });
      } else if (frame.type === 'typing') {
        const data = frame.data as { first_name?: string };
        setTypist({ name: data.first_name ?? '…', until: Date.now() + 4000 });
      } else if (frame.type === 'rating.saved') {
        void queryClient.invalidateQueries({ queryKey: queryKeys.ticketRating(ticketId) });
      } else if (frame.type === 'ticket.deleted') {
        queryClient.removeQueries({ queryKey: queryKeys.ticket(ticketId) });
      } else if (frame.type.startsWith('ticket.') && frame.data) {
        queryClient.setQueryData<Ticket>(queryKeys.ticket(ticketId), frame.data as Ticket);
      }
    });
    const offReconnect = realtime.onReconnect(() => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.messages(ticketId) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.ticket(ticketId) });
    });
    return () => {
      unsubscribe();
      off();
      offReconnect();
    };
  }, [ticketId, queryClient]);
  useEffect(() => {
    if (!typist) return;
    const timer = setTimeout(() => setTypist(undefined), typist.until - Date.now());
    return () => clearTimeout(timer);
  }, [typist]);
  return typist;
}

function authorName(message: Message, me: User): string {
  if (message.user_id === me.id) return t('you');
  if (!message.author) return '—';
  const name = [message.author.first_name, message.author.last_name].filter(Boolean).join(' ');
  return message.author.is_staff ? `${name}, ${t('support')}` : name;
}

/** One ticket: its details and actions, the conversation with live updates, the composer. */
export default function TicketPage({ id, user }: Readonly<{ id: string; user: User }>) {
  useBackButton();
  const ticket = useQuery({
    queryKey: queryKeys.ticket(id),
    queryFn: ({ signal }) => api<Ticket>('GET', `/tickets/${id}`, undefined, signal),
  });
  const messages = useQuery({
    queryKey: queryKeys.messages(id),
    queryFn: ({ signal }) => fetchMessages(id, signal),
  });
  const files = useQuery({
    queryKey: queryKeys.ticketFiles(id),
    queryFn: ({ signal }) =>
      api<AttachmentList>('GET', `/tickets/${id}/attachments`, undefined, signal),
    select: (answer) => answer.items,
  });
  const typist = useLiveTicket(id);
  const inMessages = new Set(
    (messages.data ?? []).flatMap((message) => message.attachments.map((file) => file.id)),
  );
  const ticketFiles = (files.data ?? []).filter((file) => !inMessages.has(file.id));
  const bottom = useRef<HTMLDivElement>(null);
  const count = messages.data?.length ?? 0;
  useEffect(() => {
    if (count > 0) bottom.current?.scrollIntoView({ block: 'end' });
  }, [count]);

  if (ticket.isError) {
    const missing = ticket.error instanceof ApiError && ticket.error.status === 404;
    return (
      <main className="page">
        <BackLink onBack={goBack} />
        <Placeholder header={missing ? t('notFound') : t('error')}>
          <Button size="m" onClick={() => void ticket.refetch()}>
            {t('retry')}
          </Button>
        </Placeholder>
      </main>
    );
  }
  if (!ticket.data) {
    return (
      <div className="centered">
        <Spinner size="l" />
      </div>
    );
  }

  let lastDay = '';
  return (
    <main className="page ticket-page">
      <BackLink onBack={goBack} />
      <TicketInfo ticket={ticket.data} user={user} files={ticketFiles} />
      <section className="conversation" aria-label={t('messages')} aria-live="polite">
        {messages.isPending && <Spinner size="m" />}
        {messages.data?.length === 0 && <p className="hint centered-small">{t('noMessages')}</p>}
        {messages.data?.map((message) => {
          const day = new Date(message.created_at).toDateString();
          const separator = day !== lastDay;
          lastDay = day;
          const mine = message.user_id === user.id;
          const classes = [
            'bubble',
            mine ? 'mine' : 'theirs',
            message.is_internal ? 'internal' : '',
          ]
            .filter(Boolean)
            .join(' ');
          return (
            <Fragment key={message.id}>
              {separator && (
                <div className="day-separator">
                  <span>{formatDay(message.created_at)}</span>
                </div>
              )}
              <article className={classes} data-message-id={message.id}>
                <header className="bubble-author">
                  {authorName(message, user)}
                  {message.is_internal && <span className="internal-tag">{t('internalNote')}</span>}
                </header>
                <p className="bubble-text">{message.content}</p>
                {message.attachments.length > 0 && (
                  <div className="bubble-attachments">
                    {message.attachments.map((attachment) => (
                      <AttachmentView key={attachment.id} attachment={attachment} />
                    ))}
                  </div>
                )}
                <time className="bubble-time" dateTime={message.created_at}>
                  {formatTime(message.created_at)}
                </time>
              </article>
            </Fragment>
          );
        })}
        <RatingCard ticket={ticket.data} user={user} />
        {typist && (
          <p className="typing" role="status">
            {t('typing', { name: typist.name })}
          </p>
        )}
        <div ref={bottom} />
      </section>
      <Composer ticket={ticket.data} staff={isStaff(user.role)} />
    </main>
  );
}
