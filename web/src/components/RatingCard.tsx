import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button } from '@telegram-apps/telegram-ui';
import { useState } from 'react';
import { ApiError, api } from '../api/client';
import { queryKeys } from '../api/query-keys';
import {
  ratingCommentLimit,
  type Rating,
  type Ticket,
  type TicketRating,
  type User,
} from '../api/types';
import { formatDateTime, t } from '../i18n';
import { haptic } from '../telegram';

const scores = [1, 2, 3, 4, 5] as const;

/** A score as five stars, the chosen ones filled. */
export function starsOf(score: number): string {
  return `${'★'.repeat(score)}${'☆'.repeat(5 - score)}`;
}

/**
 * The rating of a ticket's current resolution and whether the signed-in person may give it; only
 * asked of a resolved or closed ticket, and asked again when its status changes.
 */
export function useTicketRating(ticket: Ticket) {
  return useQuery({
    queryKey: queryKeys.ticketRating(ticket.id, ticket.status),
    queryFn: ({ signal }) =>
      api<TicketRating>('GET', `/tickets/${ticket.id}/rating`, undefined, signal),
    enabled: ticket.status === 'resolved' || ticket.status === 'closed',
  });
}

/** The staff's line of the ticket panel: the customer's score and comment, when rated. */
export function RatingFact({ ticket }: Readonly<{ ticket: Ticket }>) {
  const rating = useTicketRating(ticket).data?.rating;
  if (!rating) return null;
  return (
    <>
      <dt>{t('rating')}</dt>
      <dd data-testid="rating">
        <span className="rating-stars" aria-label={t('ratingStar', { score: rating.score })}>
          {starsOf(rating.score)}
        </span>
        {rating.comment && <span className="rating-comment">{rating.comment}</span>}
      </dd>
    </>
  );
}

/** What the customer sees once rated: the stars, the comment, and until when it may change. */
function RatedView({
  rating,
  canChange,
  onChange,
}: Readonly<{ rating: Rating; canChange: boolean; onChange: () => void }>) {
  return (
    <>
      <p className="rating-title">{t('ratingYours')}</p>
      <p
        className="rating-stars rating-stars-large"
        aria-label={t('ratingStar', { score: rating.score })}
      >
        {starsOf(rating.score)}
      </p>
      {rating.comment && <p className="rating-comment">{rating.comment}</p>}
      {canChange && (
        <>
          <p className="hint">
            {t('ratingChangeable', { time: formatDateTime(rating.changeable_until) })}
          </p>
          <Button size="s" mode="bezeled" onClick={onChange}>
            {t('ratingChange')}
          </Button>
        </>
      )}
    </>
  );
}

/**
 * "How did we do?" under a resolved ticket, for its customer: 1–5 stars and an optional comment;
 * once rated, their score, changeable within a day (`POST /tickets/{id}/rating`).
 */
export function RatingCard({ ticket, user }: Readonly<{ ticket: Ticket; user: User }>) {
  const queryClient = useQueryClient();
  const state = useTicketRating(ticket);
  const rating = state.data?.rating ?? null;
  const [editing, setEditing] = useState(false);
  const [score, setScore] = useState<number>();
  const [comment, setComment] = useState<string>();
  const [error, setError] = useState<string>();
  const save = useMutation({
    mutationFn: (body: { score: number; comment: string | null }) =>
      api<Rating>('POST', `/tickets/${ticket.id}/rating`, body),
    onSuccess: (saved) => {
      haptic('success');
      setError(undefined);
      setEditing(false);
      queryClient.setQueryData<TicketRating>(queryKeys.ticketRating(ticket.id, ticket.status), {
        rating: saved,
        can_rate: true,
      });
    },
    onError: (failure) => {
      haptic('error');
      setError(failure instanceof ApiError ? failure.message : t('error'));
    },
  });

  if (ticket.user_id !== user.id || !state.data) return null;
  if (!state.data.can_rate && !rating) return null;
  const chosen = score ?? rating?.score;
  const text = comment ?? rating?.comment ?? '';
  const asking = state.data.can_rate && (editing || !rating);

  return (
    <section className="rating-card" aria-label={t('ratingQuestion')}>
      {asking || !rating ? (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (chosen !== undefined) save.mutate({ score: chosen, comment: text.trim() || null });
          }}
        >
          <p className="rating-title">{t('ratingQuestion')}</p>
          <p className="hint">{t('ratingHint')}</p>
          <div className="rating-scores" role="group" aria-label={t('ratingQuestion')}>
            {scores.map((value) => (
              <button
                key={value}
                type="button"
                className={`rating-star${chosen !== undefined && value <= chosen ? ' chosen' : ''}`}
                aria-label={t('ratingStar', { score: value })}
                aria-pressed={value === chosen}
                onClick={() => setScore(value)}
              >
                {chosen !== undefined && value <= chosen ? '★' : '☆'}
              </button>
            ))}
          </div>
          <textarea
            className="rating-comment-input"
            aria-label={t('ratingComment')}
            placeholder={t('ratingComment')}
            rows={2}
            maxLength={ratingCommentLimit.maxLength}
            value={text}
            onChange={(event) => setComment(event.target.value)}
          />
          <Button
            type="submit"
            size="m"
            stretched
            loading={save.isPending}
            disabled={chosen === undefined}
          >
            {t('ratingSend')}
          </Button>
        </form>
      ) : (
        <RatedView
          rating={rating}
          canChange={state.data.can_rate}
          onChange={() => setEditing(true)}
        />
      )}
      {save.isSuccess && !editing && (
        <p className="hint" role="status">
          {t('ratingThanks')}
        </p>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
