import '../../console.css';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Input, Spinner } from '@telegram-apps/telegram-ui';
import { useCallback, useState } from 'react';
import { api } from '../../api/client';
import { isAdmin, type CategoryRow } from '../../api/console-types';
import { queryKeys } from '../../api/query-keys';
import type { Page, User } from '../../api/types';
import { BackLink } from '../../components/BackLink';
import { Sheet } from '../../components/Sheet';
import { CategoryIcon } from '../../components/StatusBadge';
import { useBackButton } from '../../hooks';
import { currentLanguage } from '../../i18n';
import { tc } from '../../i18n/console';
import { goBack } from '../../router';
import { haptic } from '../../telegram';
import { refusalText } from './refusal';

/** The colours a category may take: Telegram's and iOS's system palette. */
const palette = [
  '#ff3b30',
  '#ff9500',
  '#ffcc00',
  '#34c759',
  '#00c7be',
  '#007aff',
  '#5856d6',
  '#af52de',
  '#ff2d55',
  '#8e8e93',
] as const;

interface Draft {
  id?: string;
  name: string;
  description: string;
  icon: string;
  color: string;
}

const emptyDraft: Draft = { name: '', description: '', icon: '💬', color: '#007aff' };

/** The form of a new or edited category, in a sheet. */
function CategoryForm({
  draft,
  onClose,
  onSaved,
}: Readonly<{ draft: Draft; onClose: () => void; onSaved: () => void }>) {
  const [value, setValue] = useState(draft);
  const [error, setError] = useState<string>();
  const save = useMutation({
    mutationFn: () => {
      const body = {
        name: value.name.trim(),
        description: value.description.trim(),
        icon: value.icon.trim(),
        color: value.color,
      };
      return value.id
        ? api<CategoryRow>('PUT', `/categories/${value.id}`, body)
        : api<CategoryRow>('POST', '/categories', body);
    },
    onSuccess: () => {
      haptic('success');
      onSaved();
    },
    onError: (failure) => {
      haptic('error');
      setError(refusalText(failure));
    },
  });
  return (
    <Sheet title={value.id ? tc('editCategory') : tc('newCategory')} onClose={onClose}>
      <form
        className="category-form"
        onSubmit={(event) => {
          event.preventDefault();
          save.mutate();
        }}
      >
        <Input
          header={tc('name')}
          aria-label={tc('name')}
          required
          maxLength={100}
          value={value.name}
          onChange={(event) => setValue({ ...value, name: event.target.value })}
        />
        <Input
          header={tc('icon')}
          aria-label={tc('icon')}
          maxLength={16}
          value={value.icon}
          onChange={(event) => setValue({ ...value, icon: event.target.value })}
        />
        <Input
          header={tc('description')}
          aria-label={tc('description')}
          maxLength={500}
          value={value.description}
          onChange={(event) => setValue({ ...value, description: event.target.value })}
        />
        <fieldset className="palette">
          <legend>{tc('colour')}</legend>
          {palette.map((color) => (
            <label key={color} className="swatch" style={{ background: color }}>
              <input
                type="radio"
                name="colour"
                value={color}
                aria-label={color}
                checked={value.color === color}
                onChange={() => setValue({ ...value, color })}
              />
            </label>
          ))}
        </fieldset>
        {error && (
          <p className="error-text" role="alert">
            {error}
          </p>
        )}
        <div className="sheet-buttons">
          <Button type="button" size="l" mode="bezeled" stretched onClick={onClose}>
            {tc('cancel')}
          </Button>
          <Button
            type="submit"
            size="l"
            stretched
            loading={save.isPending}
            disabled={!value.name.trim()}
          >
            {tc('save')}
          </Button>
        </div>
      </form>
    </Sheet>
  );
}

/** A category's name in the reader's language when it has one, else its own. */
function shownName(category: CategoryRow): string {
  return category.translations[currentLanguage()]?.name ?? category.name;
}

/** Categories: open tickets of each, order, colours, hidden or shown for new tickets. */
export default function Categories({ user }: Readonly<{ user: User }>) {
  useBackButton(goBack);
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>();
  const [error, setError] = useState<string>();
  const list = useQuery({
    queryKey: queryKeys.adminCategories(),
    queryFn: ({ signal }) =>
      api<Page<CategoryRow>>(
        'GET',
        '/categories?include_inactive=true&limit=100',
        undefined,
        signal,
      ),
    enabled: isAdmin(user.role),
  });
  const refresh = useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: queryKeys.adminCategories() });
    void queryClient.invalidateQueries({ queryKey: ['categories'] });
  }, [queryClient]);
  const onFailure = (failure: Error) => {
    haptic('error');
    setError(refusalText(failure));
  };
  const reorder = useMutation({
    mutationFn: (ids: string[]) => api<Page<CategoryRow>>('PUT', '/categories/order', { ids }),
    onSuccess: (page) => {
      setError(undefined);
      queryClient.setQueryData(queryKeys.adminCategories(), page);
      refresh();
    },
    onError: (failure) => {
      onFailure(failure);
      // Back to the order the server keeps.
      refresh();
    },
  });
  const toggle = useMutation({
    mutationFn: (category: CategoryRow) =>
      api<CategoryRow>('PUT', `/categories/${category.id}`, { is_active: !category.is_active }),
    onSuccess: () => {
      setError(undefined);
      refresh();
    },
    onError: onFailure,
  });
  const items = list.data?.items ?? [];
  const move = (index: number, by: -1 | 1) => {
    haptic('tap');
    const ids = items.map((category) => category.id);
    const [moved] = ids.splice(index, 1);
    if (!moved) return;
    ids.splice(index + by, 0, moved);
    // Shown at once in the new order; the server's answer replaces it.
    queryClient.setQueryData(queryKeys.adminCategories(), {
      ...list.data,
      items: ids.map((id) => items.find((category) => category.id === id)),
    });
    reorder.mutate(ids);
  };

  return (
    <main className="page admin-categories">
      <BackLink onBack={goBack} />
      <h1 className="page-title">{tc('categories')}</h1>
      <div className="section-actions">
        <Button size="m" onClick={() => setDraft(emptyDraft)}>
          + {tc('newCategory')}
        </Button>
      </div>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {list.isPending && (
        <div className="centered-small">
          <Spinner size="m" />
        </div>
      )}
      {list.isError && <p className="error-text">{refusalText(list.error)}</p>}
      {list.isSuccess && items.length === 0 && (
        <p className="field-note">{tc('noCategoriesYet')}</p>
      )}
      <ul className="category-list" aria-busy={reorder.isPending}>
        {items.map((category, index) => (
          <li key={category.id} className={category.is_active ? 'category' : 'category inactive'}>
            <CategoryIcon icon={category.icon} color={category.color} />
            <span className="category-body">
              <span className="category-name">{shownName(category)}</span>
              <span className="category-meta">
                {category.open_count !== undefined && (
                  <span>{tc('openTickets', { count: category.open_count })}</span>
                )}
                {!category.is_active && <span>{tc('inactive')}</span>}
                <button
                  type="button"
                  className="text-button"
                  onClick={() => toggle.mutate(category)}
                  disabled={toggle.isPending}
                >
                  {category.is_active ? tc('deactivate') : tc('activate')}
                </button>
              </span>
            </span>
            <span className="category-actions">
              <button
                type="button"
                className="icon-button"
                aria-label={tc('moveUp', { name: category.name })}
                disabled={index === 0 || reorder.isPending}
                onClick={() => move(index, -1)}
              >
                ↑
              </button>
              <button
                type="button"
                className="icon-button"
                aria-label={tc('moveDown', { name: category.name })}
                disabled={index === items.length - 1 || reorder.isPending}
                onClick={() => move(index, 1)}
              >
                ↓
              </button>
              <button
                type="button"
                className="icon-button"
                aria-label={`${tc('edit')}: ${category.name}`}
                onClick={() =>
                  setDraft({
                    id: category.id,
                    name: category.name,
                    description: category.description,
                    icon: category.icon,
                    color: category.color,
                  })
                }
              >
                ✎
              </button>
            </span>
          </li>
        ))}
      </ul>
      {draft && (
        <CategoryForm
          draft={draft}
          onClose={() => setDraft(undefined)}
          onSaved={() => {
            setDraft(undefined);
            setError(undefined);
            refresh();
          }}
        />
      )}
    </main>
  );
}
