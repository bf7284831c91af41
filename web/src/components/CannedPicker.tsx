import { useQuery } from '@tanstack/react-query';
import { Spinner } from '@telegram-apps/telegram-ui';
import { useEffect } from 'react';
import { api } from '../api/client';
import { queryKeys } from '../api/query-keys';
import type { CannedReply, Page, Person, Ticket } from '../api/types';
import { languageOf, t } from '../i18n';
import { navigate } from '../router';
import { haptic } from '../telegram';
import { matchingReplies } from './canned-search';

/** The id of the picker's list, for the composer's `aria-controls`. */
export const cannedPickerId = 'canned-picker';

/** The id of one option, for the composer's `aria-activedescendant`. */
export const cannedOptionId = (id: string) => `canned-${id}`;

/** Every canned reply the signed-in staff member may use (own and shared), all pages. */
export async function fetchCannedReplies(signal: AbortSignal): Promise<CannedReply[]> {
  const items: CannedReply[] = [];
  let cursor: string | null = null;
  do {
    const after: string = cursor ? `&cursor=${cursor}` : '';
    const page: Page<CannedReply> = await api<Page<CannedReply>>(
      'GET',
      `/canned-replies?limit=100${after}`,
      undefined,
      signal,
    );
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && items.length < 1000);
  return items;
}

/**
 * The replies matching a `/query` for this ticket, its customer's language first; loaded once
 * the picker first opens, and kept for the session.
 */
export function useCannedReplies(ticket: Ticket, query: string | undefined) {
  const replies = useQuery({
    queryKey: queryKeys.cannedReplies(),
    queryFn: ({ signal }) => fetchCannedReplies(signal),
    enabled: query !== undefined,
    staleTime: 60_000,
  });
  const customer = useQuery({
    queryKey: queryKeys.user(ticket.user_id),
    queryFn: ({ signal }) => api<Person>('GET', `/users/${ticket.user_id}`, undefined, signal),
    enabled: query !== undefined,
    staleTime: 5 * 60_000,
  });
  const language = customer.data ? languageOf(customer.data.language_code) : undefined;
  return {
    loading: replies.isPending,
    any: (replies.data?.length ?? 0) > 0,
    items: query === undefined ? [] : matchingReplies(replies.data ?? [], query, language),
  };
}

/** A body shown on one line, cut to fit. */
function preview(body: string): string {
  const line = body.replace(/\s+/g, ' ');
  return line.length > 90 ? `${line.slice(0, 89)}…` : line;
}

/**
 * The list of canned replies over the composer while a `/query` is typed: the keys stay in the
 * message field (the composer moves `active` and picks), a tap picks too.
 */
export function CannedPicker({
  items,
  loading,
  any,
  active,
  onPick,
}: Readonly<{
  items: CannedReply[];
  loading: boolean;
  any: boolean;
  active: number;
  onPick: (reply: CannedReply) => void;
}>) {
  const activeId = items[active]?.id;
  useEffect(() => {
    if (activeId)
      document.getElementById(cannedOptionId(activeId))?.scrollIntoView({ block: 'nearest' });
  }, [activeId]);
  return (
    <div className="canned-picker">
      {loading && (
        <div className="centered-small">
          <Spinner size="s" />
        </div>
      )}
      {!loading && !any && <p className="canned-empty">{t('cannedNone')}</p>}
      {!loading && any && items.length === 0 && (
        <p className="canned-empty">{t('cannedNoMatch')}</p>
      )}
      {items.length > 0 && (
        <ul id={cannedPickerId} role="listbox" aria-label={t('cannedReplies')}>
          {items.map((reply, index) => (
            <li
              key={reply.id}
              id={cannedOptionId(reply.id)}
              role="option"
              aria-selected={index === active}
              className={index === active ? 'canned-option active' : 'canned-option'}
              // Keeps the caret in the message field.
              onMouseDown={(event) => event.preventDefault()}
              onClick={() => {
                haptic('tap');
                onPick(reply);
              }}
            >
              <span className="canned-head">
                <span className="canned-shortcut">/{reply.shortcut}</span>
                <span className="canned-title">{reply.title}</span>
                {reply.language !== 'any' && (
                  <span className="canned-tag">{reply.language.toUpperCase()}</span>
                )}
                {reply.scope === 'shared' && (
                  <span className="canned-tag">{t('cannedShared')}</span>
                )}
              </span>
              <span className="canned-body">{preview(reply.body)}</span>
            </li>
          ))}
        </ul>
      )}
      <a
        className="canned-manage"
        href="/canned-replies"
        onMouseDown={(event) => event.preventDefault()}
        onClick={(event) => {
          event.preventDefault();
          navigate('/canned-replies');
        }}
      >
        {t('cannedManage')}
      </a>
    </div>
  );
}
