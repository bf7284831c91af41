import { useQueryClient } from '@tanstack/react-query';
import { Button, Cell, List, Section, Select, Spinner, Textarea } from '@telegram-apps/telegram-ui';
import { useCallback, useState } from 'react';
import { ApiError, api } from '../api/client';
import { queryKeys } from '../api/query-keys';
import { newTicketLimits, priorities, type Priority, type Ticket } from '../api/types';
import { BackLink } from '../components/BackLink';
import { FilePicker } from '../components/FilePicker';
import { CategoryIcon, PriorityBadge } from '../components/StatusBadge';
import { TitleField } from '../components/TitleField';
import { useBackButton, useCategories, useMainButton } from '../hooks';
import { t } from '../i18n';
import { goBack, navigate } from '../router';
import { haptic, inTelegram } from '../telegram';
import { useUploads } from '../useUploads';

const TITLE_MAX = newTicketLimits.title.maxLength;
const DESCRIPTION_MAX = newTicketLimits.description.maxLength;

type FieldErrors = Partial<
  Record<'category_id' | 'title' | 'description' | 'priority' | 'form', string>
>;

const formFields = new Set(['category_id', 'title', 'description', 'priority']);

/** An API error as messages next to the fields it names (the rest under the form). */
function fieldErrors(error: unknown): FieldErrors {
  const problems: FieldErrors = {};
  if (!(error instanceof ApiError)) return { form: t('error') };
  if (error.errors.length === 0) return { form: error.message };
  for (const problem of error.errors) {
    const field = problem.field.split('.')[0] ?? '';
    problems[formFields.has(field) ? (field as keyof FieldErrors) : 'form'] = problem.message;
  }
  return problems;
}

function Counter({ length, max }: Readonly<{ length: number; max: number }>) {
  return (
    <span className={length > max ? 'counter-text over' : 'counter-text'} aria-live="polite">
      {length}/{max}
    </span>
  );
}

function FieldError({ message }: Readonly<{ message: string | undefined }>) {
  return message ? (
    <p className="field-error" role="alert">
      {message}
    </p>
  ) : null;
}

/** Opening a ticket: category, priority, title, description, files; a preview, then send. */
export default function NewTicket() {
  const queryClient = useQueryClient();
  const categories = useCategories();
  const uploads = useUploads();
  const [step, setStep] = useState<'form' | 'preview'>('form');
  const [categoryId, setCategoryId] = useState('');
  const [priority, setPriority] = useState<Priority>('normal');
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [sending, setSending] = useState(false);

  const category = categories.data?.find((item) => item.id === categoryId);
  const valid =
    categoryId !== '' &&
    title.trim().length > 0 &&
    title.length <= TITLE_MAX &&
    description.trim().length > 0 &&
    description.length <= DESCRIPTION_MAX &&
    !uploads.uploading;

  const toPreview = useCallback(() => {
    const problems: FieldErrors = {};
    if (!categoryId) problems.category_id = t('chooseCategory');
    if (!title.trim()) problems.title = t('required');
    if (!description.trim()) problems.description = t('required');
    setErrors(problems);
    if (Object.keys(problems).length > 0 || !valid) {
      haptic('error');
      return;
    }
    haptic('tap');
    setStep('preview');
    window.scrollTo(0, 0);
  }, [categoryId, title, description, valid]);

  const submit = useCallback(async () => {
    setSending(true);
    try {
      const ticket = await api<Ticket>('POST', '/tickets', {
        category_id: categoryId,
        title,
        description,
        priority,
        ...(uploads.ids.length > 0 ? { attachment_ids: uploads.ids } : {}),
      });
      await uploads.finish(ticket.id);
      haptic('success');
      await queryClient.invalidateQueries({ queryKey: queryKeys.tickets() });
      await queryClient.invalidateQueries({ queryKey: queryKeys.counts() });
      navigate(`/tickets/${ticket.id}`, true);
    } catch (error) {
      haptic('error');
      setErrors(fieldErrors(error));
      setStep('form');
    } finally {
      setSending(false);
    }
  }, [categoryId, title, description, priority, uploads, queryClient]);

  const back = useCallback(() => (step === 'preview' ? setStep('form') : goBack()), [step]);
  useBackButton(back);
  const mainText = step === 'form' ? t('preview') : t('submit');
  const mainAction = useCallback(
    () => (step === 'form' ? toPreview() : void submit()),
    [step, toPreview, submit],
  );
  useMainButton(mainText, mainAction, { enabled: step === 'preview' || valid, loading: sending });

  if (step === 'preview') {
    return (
      <main className="page new-ticket">
        <BackLink onBack={back} />
        <h1 className="page-title">{t('preview')}</h1>
        <List>
          <Section>
            <Cell
              before={<CategoryIcon icon={category?.icon} color={category?.color} />}
              subtitle={category?.description}
              multiline
            >
              {category?.name}
            </Cell>
            <Cell after={<PriorityBadge priority={priority} />}>{t('priority')}</Cell>
          </Section>
          <Section header={t('title')}>
            <div className="preview-text preview-title">{title}</div>
          </Section>
          <Section header={t('description')}>
            <div className="preview-text">{description}</div>
          </Section>
          {uploads.files.length > 0 && (
            <Section header={t('attachments')}>
              <div className="preview-files">
                {uploads.files.map((file) =>
                  file.thumb ? (
                    <img
                      key={file.key}
                      src={file.thumb}
                      alt={file.name}
                      className="preview-thumb"
                    />
                  ) : (
                    <span key={file.key} className="preview-doc">
                      📄 {file.name}
                    </span>
                  ),
                )}
              </div>
            </Section>
          )}
        </List>
        {!inTelegram() && (
          <div className="bottom-bar two">
            <Button size="l" mode="bezeled" onClick={() => setStep('form')}>
              {t('edit')}
            </Button>
            <Button
              size="l"
              stretched
              className="main-action"
              loading={sending}
              onClick={() => void submit()}
            >
              {t('submitShort')}
            </Button>
          </div>
        )}
      </main>
    );
  }

  return (
    <main className="page new-ticket">
      <BackLink onBack={back} />
      <h1 className="page-title">{t('newTicket')}</h1>
      <List>
        <Section header={t('category')}>
          {categories.isPending && <Spinner size="s" />}
          {categories.data?.length === 0 && (
            // Nothing to choose, so nothing can be sent: say why rather than show an empty form.
            <p className="field-note" role="status">
              {t('noCategories')}
            </p>
          )}
          <div role="radiogroup" aria-label={t('category')}>
            {(categories.data ?? []).map((item) => (
              <Cell
                key={item.id}
                role="radio"
                aria-checked={item.id === categoryId}
                className={item.id === categoryId ? 'category-cell selected' : 'category-cell'}
                before={<CategoryIcon icon={item.icon} color={item.color} />}
                after={item.id === categoryId ? <span className="check">✓</span> : undefined}
                description={item.description}
                multiline
                onClick={() => {
                  haptic('tap');
                  setCategoryId(item.id);
                }}
              >
                {item.name}
              </Cell>
            ))}
          </div>
        </Section>
        <FieldError message={errors.category_id} />
        <Section header={t('priority')}>
          <Select
            aria-label={t('priority')}
            value={priority}
            onChange={(event) => setPriority(event.target.value as Priority)}
          >
            {priorities.map((value) => (
              <option key={value} value={value}>
                {t(`priority_${value}`)}
              </option>
            ))}
          </Select>
        </Section>
        <FieldError message={errors.priority} />
        <Section header={t('title')}>
          <TitleField
            name="title"
            aria-label={t('title')}
            placeholder={t('titlePlaceholder')}
            status={errors.title || title.length > TITLE_MAX ? 'error' : 'default'}
            value={title}
            maxLength={TITLE_MAX + 50}
            onChange={setTitle}
          />
          <div className="field-counter">
            <Counter length={title.length} max={TITLE_MAX} />
          </div>
        </Section>
        <FieldError message={errors.title} />
        <Section header={t('description')}>
          <Textarea
            name="description"
            aria-label={t('description')}
            placeholder={t('descriptionPlaceholder')}
            status={
              errors.description || description.length > DESCRIPTION_MAX ? 'error' : 'default'
            }
            value={description}
            rows={6}
            onChange={(event) => setDescription(event.target.value)}
          />
          <div className="field-counter">
            <Counter length={description.length} max={DESCRIPTION_MAX} />
          </div>
        </Section>
        <FieldError message={errors.description} />
        <Section header={t('attachments')}>
          <FilePicker
            files={uploads.files}
            onPick={(list) => void uploads.pick(list)}
            onRemove={uploads.remove}
          />
        </Section>
        <FieldError message={errors.form} />
      </List>
      {!inTelegram() && (
        <div className="bottom-bar">
          <Button size="l" stretched className="main-action" disabled={!valid} onClick={toPreview}>
            {t('preview')}
          </Button>
        </div>
      )}
    </main>
  );
}
