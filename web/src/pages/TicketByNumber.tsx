import { useQuery } from '@tanstack/react-query';
import { Placeholder, Spinner } from '@telegram-apps/telegram-ui';
import { useEffect } from 'react';
import { api } from '../api/client';
import { queryKeys } from '../api/query-keys';
import type { Page, Ticket } from '../api/types';
import { BackLink } from '../components/BackLink';
import { useBackButton } from '../hooks';
import { t } from '../i18n';
import { goBack, navigate } from '../router';

/** Opens ticket #number (a `ticket_<number>` start parameter). */
export default function TicketByNumber({ number }: Readonly<{ number: number }>) {
  useBackButton();
  const found = useQuery({
    queryKey: queryKeys.ticketByNumber(number),
    queryFn: ({ signal }) =>
      api<Page<Pick<Ticket, 'id' | 'number'>>>(
        'GET',
        `/tickets?q=${number}&fields=id,number&limit=5`,
        undefined,
        signal,
      ),
    select: (page) => page.items.find((ticket) => ticket.number === number),
  });
  useEffect(() => {
    if (found.data) navigate(`/tickets/${found.data.id}`, true);
  }, [found.data]);
  if (found.isSuccess && !found.data) {
    return (
      <main className="page">
        <BackLink onBack={goBack} />
        <Placeholder header={t('notFound')} description={`#${number}`} />
      </main>
    );
  }
  return (
    <div className="centered">
      <Spinner size="l" />
    </div>
  );
}
