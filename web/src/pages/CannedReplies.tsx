import '../console.css';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Input, Select, Spinner, Textarea } from '@telegram-apps/telegram-ui';
import { useCallback, useState } from 'react';
import { api } from '../api/client';
import { isModerator } from '../api/console-types';
import { queryKeys } from '../api/query-keys';
import { isStaff, type CannedReply, type User } from '../api/types';
import { BackLink } from '../components/BackLink';
import { fetchCannedReplies } from '../components/CannedPicker';
import { Sheet } from '../components/Sheet';
import { useBackButton } from '../hooks';
import { tc } from '../i18n/console';
import { goBack } from '../router';
import { haptic } from '../telegram';
import { refusalText } from './admin/refusal';

/** The placeholders a body may hold, as the server fills them (src/canned-replies/placeholders.ts). */
const placeholders = ['customer_name', 'ticket_number', 'agent_name'] as const;
const languages = ['any', 'ru', 'en'] as const;

interface Draft {
  id?: string;
  title: string;
  shortcut: string;
  body: string;
  language: CannedReply['language'];
  scope: CannedReply['scope'];
}

const emptyDraft: Draft = { title: '', shortcut: '', body: '', language: 'any', scope: 'personal' };

/** The form of a new or edited reply, in a sheet; deleting asks once more. */
function ReplyForm({
  draft,
  canShare,
  onClose,
  onSaved,
}: Readonly<{ draft: Draft; canShare: boolean; onClose: () => void; onSaved: () => void }>) {
  const [value, setValue] = useState(draft);
  const [error, setError] = useState<string>();
  const [confirming, setConfirming] = useState(false);
  const done = {
    onSuccess: () => {
      haptic('success');
      onSaved();
    },
    onError: (failure: Error) => {
      haptic('error');
      setError(refusalText(failure));
    },
  };
  const save = useMutation({
    mutationFn: () => {
      const body = {
        title: value.title.trim(),
        shortcut: value.shortcut.trim(),
        body: value.body,
        language: value.language,
      };
      return value.id
        ? api<CannedReply>('PATCH', `/canned-replies/${value.id}`, body)
        : api<CannedReply>('POST', '/canned-replies', { ...body, scope: value.scope });
    },
    ...done,
  });
  const remove = useMutation({
    mutationFn: () => api<null>('DELETE', `/canned-replies/${value.id}`),
    ...done,
  });
  const insert = (name: string) =>
    setValue({ ...value, body: `${value.body}{${name}}`.slice(0, 4000) });
  return (
    <Sheet title={value.id ? tc('cannedEdit') : tc('cannedNew')} onClose={onClose}>
      <form
        className="category-form canned-form"
        onSubmit={(event) => {
          event.preventDefault();
          save.mutate();
        }}
      >
        <Input
          header={tc('cannedTitleField')}
          aria-label={tc('cannedTitleField')}
          required
          maxLength={100}
          value={value.title}
          onChange={(event) => setValue({ ...value, title: event.target.value })}
        />
        <Input
          header={tc('cannedShortcut')}
          aria-label={tc('cannedShortcut')}
          required
          maxLength={32}
          before={<span className="canned-slash">/</span>}
          value={value.shortcut}
          onChange={(event) => setValue({ ...value, shortcut: event.target.value })}
        />
        <Select
          header={tc('cannedLanguage')}
          aria-label={tc('cannedLanguage')}
          value={value.language}
          onChange={(event) =>
            setValue({ ...value, language: event.target.value as Draft['language'] })
          }
        >
          {languages.map((language) => (
            <option key={language} value={language}>
              {tc(`cannedLanguage_${language}`)}
            </option>
          ))}
        </Select>
        {canShare && !value.id && (
          <Select
            header={tc('cannedScope')}
            aria-label={tc('cannedScope')}
            value={value.scope}
            onChange={(event) =>
              setValue({ ...value, scope: event.target.value as Draft['scope'] })
            }
          >
            <option value="personal">{tc('cannedPersonal')}</option>
            <option value="shared">{tc('cannedSharedScope')}</option>
          </Select>
        )}
        <Textarea
          header={tc('cannedBody')}
          aria-label={tc('cannedBody')}
          required
          rows={5}
          maxLength={4000}
          value={value.body}
          onChange={(event) => setValue({ ...value, body: event.target.value })}
        />
        <p className="field-note canned-placeholders">
          {tc('cannedPlaceholders')}{' '}
          {placeholders.map((name) => (
            <button key={name} type="button" className="text-button" onClick={() => insert(name)}>
              {`{${name}}`}
            </button>
          ))}
        </p>
        {error && (
          <p className="error-text" role="alert">
            {error}
          </p>
        )}
        <div className="sheet-buttons">
          {value.id && (
            <Button
              type="button"
              size="l"
              mode="bezeled"
              className="danger"
              stretched
              loading={remove.isPending}
              onClick={() => (confirming ? remove.mutate() : setConfirming(true))}
            >
              {confirming ? tc('cannedDeleteConfirm') : tc('cannedDelete')}
            </Button>
          )}
          <Button
            type="submit"
            size="l"
            stretched
            loading={save.isPending}
            disabled={!value.title.trim() || !value.shortcut.trim() || !value.body.trim()}
          >
            {tc('save')}
          </Button>
        </div>
      </form>
    </Sheet>
  );
}

/** One reply in the list: its shortcut, title, language and the start of its body. */
function ReplyRow({
  reply,
  onEdit,
}: Readonly<{ reply: CannedReply; onEdit: (() => void) | undefined }>) {
  return (
    <li className="category canned-row">
      <span className="category-body">
        <span className="category-name">
          <span className="canned-shortcut">/{reply.shortcut}</span> {reply.title}
        </span>
        <span className="canned-preview">{reply.body}</span>
        <span className="category-meta">
          <span>{tc(`cannedLanguage_${reply.language}`)}</span>
        </span>
      </span>
      {onEdit && (
        <span className="category-actions">
          <button
            type="button"
            className="icon-button"
            aria-label={`${tc('edit')}: /${reply.shortcut}`}
            onClick={onEdit}
          >
            ✎
          </button>
        </span>
      )}
    </li>
  );
}

/**
 * Canned replies: every staff member's own (theirs to write), and the team's shared ones
 * (written by moderators and above, read by all staff). In a ticket, `/` in the message inserts
 * them (`components/CannedPicker.tsx`); in Telegram, `@bot shortcut`.
 */
export default function CannedReplies({ user }: Readonly<{ user: User }>) {
  useBackButton(goBack);
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>();
  const staff = isStaff(user.role);
  const canShare = isModerator(user.role);
  const list = useQuery({
    queryKey: queryKeys.cannedReplies(),
    queryFn: ({ signal }) => fetchCannedReplies(signal),
    enabled: staff,
  });
  const refresh = useCallback(
    () => void queryClient.invalidateQueries({ queryKey: queryKeys.cannedReplies() }),
    [queryClient],
  );
  const items = list.data ?? [];
  const own = items.filter((reply) => reply.scope === 'personal');
  const shared = items.filter((reply) => reply.scope === 'shared');
  const edit = (reply: CannedReply) => () =>
    setDraft({
      id: reply.id,
      title: reply.title,
      shortcut: reply.shortcut,
      body: reply.body,
      language: reply.language,
      scope: reply.scope,
    });

  if (!staff) {
    return (
      <main className="page canned-replies">
        <BackLink onBack={goBack} />
        <p className="field-note">{tc('notAllowed')}</p>
      </main>
    );
  }
  return (
    <main className="page canned-replies">
      <BackLink onBack={goBack} />
      <h1 className="page-title">{tc('cannedReplies')}</h1>
      <p className="page-note field-note">{tc('cannedIntro')}</p>
      <div className="section-actions">
        <Button size="m" onClick={() => setDraft(emptyDraft)}>
          + {tc('cannedNew')}
        </Button>
      </div>
      {list.isPending && (
        <div className="centered-small">
          <Spinner size="m" />
        </div>
      )}
      {list.isError && <p className="error-text">{refusalText(list.error)}</p>}
      <h2 className="section-title">{tc('cannedMine')}</h2>
      {list.isSuccess && own.length === 0 && (
        <p className="page-note field-note">{tc('cannedNoneYet')}</p>
      )}
      <ul className="category-list">
        {own.map((reply) => (
          <ReplyRow key={reply.id} reply={reply} onEdit={edit(reply)} />
        ))}
      </ul>
      <h2 className="section-title">{tc('cannedTeam')}</h2>
      {list.isSuccess && shared.length === 0 && (
        <p className="page-note field-note">{tc('cannedNoneShared')}</p>
      )}
      <ul className="category-list">
        {shared.map((reply) => (
          <ReplyRow key={reply.id} reply={reply} onEdit={canShare ? edit(reply) : undefined} />
        ))}
      </ul>
      {draft && (
        <ReplyForm
          draft={draft}
          canShare={canShare}
          onClose={() => setDraft(undefined)}
          onSaved={() => {
            setDraft(undefined);
            refresh();
          }}
        />
      )}
    </main>
  );
}
