import { Button, Placeholder } from '@telegram-apps/telegram-ui';
import { t } from '../i18n';

/** An empty list: nothing matches the search, or the filters, or there is nothing yet. */
export function EmptyList({
  searched,
  filtered,
  staff,
  onClearSearch,
  onResetFilters,
}: Readonly<{
  searched: string;
  filtered: boolean;
  staff: boolean;
  onClearSearch: () => void;
  onResetFilters: () => void;
}>) {
  if (searched || filtered) {
    return (
      <Placeholder
        header={searched ? t('nothingFound', { q: searched }) : t('noMatchingTickets')}
        action={
          <Button size="m" mode="bezeled" onClick={searched ? onClearSearch : onResetFilters}>
            {searched ? t('clearSearch') : t('resetFilters')}
          </Button>
        }
      />
    );
  }
  return (
    <Placeholder header={t('noTickets')} description={staff ? undefined : t('noTicketsHint')} />
  );
}
