import '../../console.css';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Button,
  Input,
  List,
  Section,
  Select,
  Spinner,
  Textarea,
} from '@telegram-apps/telegram-ui';
import { useEffect, useState } from 'react';
import { ApiError, api, query } from '../../api/client';
import {
  isAdmin,
  type CategoryRow,
  type PersonRow,
  type RoutingMode,
  type Settings as SettingsValue,
} from '../../api/console-types';
import { queryKeys } from '../../api/query-keys';
import { priorities, type FieldError, type Page, type User } from '../../api/types';
import { BackLink } from '../../components/BackLink';
import { useBackButton } from '../../hooks';
import { formatDateTime, t } from '../../i18n';
import { tc, type ConsoleKey } from '../../i18n/console';
import { goBack } from '../../router';
import { haptic } from '../../telegram';
import { nameOf } from './People';
import { refusalText } from './refusal';

/** Reminder schedules people ask for, as cron; anything else is edited as it is. */
const cronPresets: readonly [string, ConsoleKey][] = [
  ['0 * * * *', 'cronHourly'],
  ['*/30 * * * *', 'cronHalfHour'],
  ['0 9-18 * * 1-5', 'cronWorkday'],
  ['0 9 * * *', 'cronDaily'],
];
const routingModes: readonly RoutingMode[] = ['all', 'on_duty', 'per_category'];
const weekdays = [1, 2, 3, 4, 5, 6, 7] as const;
const staffRoles = ['agent', 'moderator', 'admin', 'owner'] as const;
const memberRoles: readonly SettingsValue['staff_chat']['member_role'][] = ['agent', 'none'];

type Editable = Omit<SettingsValue, 'updated_at' | 'updated_by'>;

/** The two SLA targets of a priority, with their labels. */
const slaTargets: readonly [keyof SettingsValue['sla']['low'], ConsoleKey, ConsoleKey][] = [
  ['first_response', 'slaFirstResponse', 'slaFirstResponseShort'],
  ['resolution', 'slaResolution', 'slaResolutionShort'],
];

/** A target's minutes as typed: empty for none (null), else the number (NaN: not one, a 422). */
function minutesOf(text: string): number | null {
  return text.trim() === '' ? null : Number(text);
}

/** A target as its field shows it. */
function minutesText(minutes: number | null): string {
  return minutes === null || Number.isNaN(minutes) ? '' : String(minutes);
}

/** The time zones this browser knows, for the zone field's suggestions. */
function timeZones(): string[] {
  const intl = Intl as { supportedValuesOf?: (key: string) => string[] };
  return intl.supportedValuesOf?.('timeZone') ?? [];
}

/** The field problems of a 422 whose field is `name` or inside it. */
function errorsFor(errors: FieldError[], name: string): string | undefined {
  const found = errors.filter(
    (error) => error.field === name || error.field.startsWith(`${name}.`),
  );
  return found.length ? found.map((error) => error.message).join('; ') : undefined;
}

/** A field's problem, under it. */
function FieldProblem({ errors, name }: Readonly<{ errors: FieldError[]; name: string }>) {
  const text = errorsFor(errors, name);
  return text ? (
    <p className="field-error" role="alert" data-field={name}>
      {text}
    </p>
  ) : null;
}

/** Active staff, for routing new tickets per category. */
function useStaff(enabled: boolean) {
  return useQuery({
    queryKey: ['staff-active'],
    queryFn: async ({ signal }) => {
      const pages = await Promise.all(
        staffRoles.map((role) =>
          api<Page<PersonRow>>(
            'GET',
            `/users${query({ role, is_active: 'true', limit: 100 })}`,
            undefined,
            signal,
          ),
        ),
      );
      return pages.flatMap((page) => page.items);
    },
    enabled,
    staleTime: 60_000,
  });
}

/** The settings an admin changes without a restart, every group in one form. */
export default function Settings({ user }: Readonly<{ user: User }>) {
  useBackButton(goBack);
  const queryClient = useQueryClient();
  const allowed = isAdmin(user.role);
  const settings = useQuery({
    queryKey: queryKeys.settings(),
    queryFn: ({ signal }) => api<SettingsValue>('GET', '/settings', undefined, signal),
    enabled: allowed,
  });
  const categories = useQuery({
    queryKey: queryKeys.adminCategories(),
    queryFn: ({ signal }) =>
      api<Page<CategoryRow>>(
        'GET',
        '/categories?include_inactive=true&limit=100',
        undefined,
        signal,
      ),
    enabled: allowed,
  });
  const [form, setForm] = useState<Editable>();
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [message, setMessage] = useState<{ text: string; error: boolean }>();
  /** The staff group's chat id as typed (a number, or empty for none). */
  const [chatIdText, setChatIdText] = useState('');
  const staff = useStaff(allowed && form?.routing.mode === 'per_category');

  useEffect(() => {
    if (settings.data && !form) {
      const {
        support_hours,
        reminders,
        auto_close,
        greeting,
        routing,
        staff_chat,
        sla,
        scheduled_report,
      } = settings.data;
      setForm({
        support_hours,
        reminders,
        auto_close,
        greeting,
        routing,
        staff_chat,
        sla,
        scheduled_report,
      });
      setChatIdText(staff_chat.chat_id === null ? '' : String(staff_chat.chat_id));
    }
  }, [settings.data, form]);

  const save = useMutation({
    mutationFn: (values: Editable) => api<SettingsValue>('PUT', '/settings', values),
    onSuccess: (next) => {
      haptic('success');
      setErrors([]);
      setMessage({ text: tc('settingsSaved'), error: false });
      queryClient.setQueryData(queryKeys.settings(), next);
    },
    onError: (failure) => {
      haptic('error');
      if (failure instanceof ApiError && failure.errors.length) {
        setErrors(failure.errors);
        setMessage({ text: tc('fixErrors'), error: true });
      } else {
        setErrors([]);
        setMessage({ text: refusalText(failure), error: true });
      }
    },
  });

  if (!allowed || settings.isError) {
    return (
      <main className="page">
        <BackLink onBack={goBack} />
        <h1 className="page-title">{tc('settings')}</h1>
        <p className="error-text">
          {settings.isError ? refusalText(settings.error) : tc('notAllowed')}
        </p>
      </main>
    );
  }
  if (!form || !settings.data) {
    return (
      <div className="centered">
        <Spinner size="l" />
      </div>
    );
  }
  const set = <K extends keyof Editable>(group: K, value: Partial<Editable[K]>) =>
    setForm({ ...form, [group]: { ...form[group], ...value } });
  const hours = form.support_hours;
  const preset = cronPresets.some(([cron]) => cron === form.reminders.cron)
    ? form.reminders.cron
    : 'custom';
  const number = (text: string) => (text.trim() === '' ? Number.NaN : Number(text));

  return (
    <main className="page admin-settings">
      <BackLink onBack={goBack} />
      <h1 className="page-title">{tc('settings')}</h1>
      <p className="hint page-note">
        {settings.data.updated_at
          ? tc('lastChanged', { when: formatDateTime(settings.data.updated_at) })
          : tc('never')}
      </p>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          const typed = chatIdText.trim();
          if (typed !== '' && !/^-\d+$/.test(typed)) {
            setErrors([{ field: 'staff_chat.chat_id', message: tc('staffChatIdInvalid') }]);
            setMessage({ text: tc('fixErrors'), error: true });
            return;
          }
          save.mutate({
            ...form,
            staff_chat: { ...form.staff_chat, chat_id: typed === '' ? null : Number(typed) },
          });
        }}
      >
        <List>
          <Section header={tc('supportHours')}>
            <Input
              header={tc('timeZone')}
              aria-label={tc('timeZone')}
              list="time-zones"
              value={hours.time_zone}
              onChange={(event) => set('support_hours', { time_zone: event.target.value })}
            />
            <datalist id="time-zones">
              {timeZones().map((zone) => (
                <option key={zone} value={zone} />
              ))}
            </datalist>
            <FieldProblem errors={errors} name="support_hours.time_zone" />
            <fieldset className="weekdays">
              <legend>{tc('days')}</legend>
              {weekdays.map((day) => (
                <label key={day} className="day-chip">
                  <input
                    type="checkbox"
                    checked={hours.days.includes(day)}
                    onChange={(event) =>
                      set('support_hours', {
                        days: event.target.checked
                          ? [...hours.days, day].sort((a, b) => a - b)
                          : hours.days.filter((other) => other !== day),
                      })
                    }
                  />
                  <span>{tc(`day_${day}`)}</span>
                </label>
              ))}
            </fieldset>
            <FieldProblem errors={errors} name="support_hours.days" />
            <div className="time-range">
              <Input
                header={tc('start')}
                aria-label={tc('start')}
                type="time"
                value={hours.start}
                onChange={(event) => set('support_hours', { start: event.target.value })}
              />
              <Input
                header={tc('end')}
                aria-label={tc('end')}
                type="time"
                value={hours.end}
                onChange={(event) => set('support_hours', { end: event.target.value })}
              />
            </div>
            <FieldProblem errors={errors} name="support_hours.start" />
            <FieldProblem errors={errors} name="support_hours.end" />
            <FieldProblem errors={errors} name="support_hours" />
          </Section>

          <Section
            header={tc('reminders')}
            footer={<span className="section-note">{tc('afterHoursHint')}</span>}
          >
            <Select
              header={tc('schedule')}
              aria-label={tc('schedule')}
              value={preset}
              onChange={(event) =>
                set('reminders', {
                  cron: event.target.value === 'custom' ? form.reminders.cron : event.target.value,
                })
              }
            >
              {cronPresets.map(([cron, label]) => (
                <option key={cron} value={cron}>
                  {tc(label)}
                </option>
              ))}
              <option value="custom">{tc('cronCustom')}</option>
            </Select>
            {preset === 'custom' && (
              <Input
                header={tc('cron')}
                aria-label={tc('cron')}
                value={form.reminders.cron}
                onChange={(event) => set('reminders', { cron: event.target.value })}
              />
            )}
            <FieldProblem errors={errors} name="reminders.cron" />
            <Input
              header={tc('afterHoursShort')}
              aria-label={tc('afterHours')}
              type="number"
              inputMode="numeric"
              value={Number.isNaN(form.reminders.after_hours) ? '' : form.reminders.after_hours}
              onChange={(event) => set('reminders', { after_hours: number(event.target.value) })}
            />
            <FieldProblem errors={errors} name="reminders.after_hours" />
          </Section>

          <Section
            header={tc('slaSection')}
            footer={<span className="section-note">{tc('slaHint')}</span>}
          >
            {priorities.map((priority) => {
              const priorityName = t(`priority_${priority}`);
              return (
                <div key={priority} className="sla-targets" data-priority={priority}>
                  <span className="sla-priority">{priorityName}</span>
                  <div className="time-range">
                    {slaTargets.map(([target, label, short]) => (
                      <Input
                        key={target}
                        header={tc(short)}
                        aria-label={`${priorityName}: ${tc(label)}`}
                        type="number"
                        inputMode="numeric"
                        value={minutesText(form.sla[priority][target])}
                        onChange={(event) =>
                          set('sla', {
                            [priority]: {
                              ...form.sla[priority],
                              [target]: minutesOf(event.target.value),
                            },
                          })
                        }
                      />
                    ))}
                  </div>
                  <FieldProblem errors={errors} name={`sla.${priority}`} />
                </div>
              );
            })}
          </Section>

          <Section
            header={tc('autoClose')}
            footer={<span className="section-note">{tc('afterDaysHint')}</span>}
          >
            <Input
              header={tc('afterDaysShort')}
              aria-label={tc('afterDays')}
              type="number"
              inputMode="numeric"
              value={Number.isNaN(form.auto_close.after_days) ? '' : form.auto_close.after_days}
              onChange={(event) => set('auto_close', { after_days: number(event.target.value) })}
            />
            <FieldProblem errors={errors} name="auto_close" />
          </Section>

          <Section
            header={tc('reportSection')}
            footer={<span className="section-note">{tc('reportHint')}</span>}
          >
            <Select
              header={tc('reportFrequency')}
              aria-label={tc('reportFrequency')}
              value={form.scheduled_report.frequency}
              onChange={(event) =>
                set('scheduled_report', {
                  frequency: event.target.value as Editable['scheduled_report']['frequency'],
                })
              }
            >
              {(['off', 'weekly', 'monthly'] as const).map((frequency) => (
                <option key={frequency} value={frequency}>
                  {tc(`report_${frequency}`)}
                </option>
              ))}
            </Select>
            {form.scheduled_report.frequency === 'weekly' && (
              <Select
                header={tc('reportWeekday')}
                aria-label={tc('reportWeekday')}
                value={form.scheduled_report.weekday}
                onChange={(event) =>
                  set('scheduled_report', { weekday: Number(event.target.value) })
                }
              >
                {weekdays.map((day) => (
                  <option key={day} value={day}>
                    {tc(`day_${day}`)}
                  </option>
                ))}
              </Select>
            )}
            {form.scheduled_report.frequency !== 'off' && (
              <Input
                header={tc('reportTime')}
                aria-label={tc('reportTime')}
                type="time"
                value={form.scheduled_report.time}
                onChange={(event) => set('scheduled_report', { time: event.target.value })}
              />
            )}
            <FieldProblem errors={errors} name="scheduled_report.time" />
            <FieldProblem errors={errors} name="scheduled_report" />
          </Section>

          <Section
            header={tc('greeting')}
            footer={<span className="section-note">{tc('greetingHint')}</span>}
          >
            <Textarea
              header={tc('greetingRu')}
              aria-label={tc('greetingRu')}
              maxLength={1000}
              value={form.greeting.ru}
              onChange={(event) => set('greeting', { ru: event.target.value })}
            />
            <FieldProblem errors={errors} name="greeting.ru" />
            <Textarea
              header={tc('greetingEn')}
              aria-label={tc('greetingEn')}
              maxLength={1000}
              value={form.greeting.en}
              onChange={(event) => set('greeting', { en: event.target.value })}
            />
            <FieldProblem errors={errors} name="greeting.en" />
          </Section>

          <Section
            header={tc('staffChat')}
            footer={<span className="section-note">{tc('staffChatHint')}</span>}
          >
            <Input
              header={tc('staffChatId')}
              aria-label={tc('staffChatId')}
              inputMode="numeric"
              placeholder="-1001234567890"
              value={chatIdText}
              onChange={(event) => setChatIdText(event.target.value)}
            />
            <FieldProblem errors={errors} name="staff_chat.chat_id" />
            <label className="day-chip">
              <input
                type="checkbox"
                checked={form.staff_chat.sign_replies}
                onChange={(event) => set('staff_chat', { sign_replies: event.target.checked })}
              />
              <span>{tc('staffChatSign')}</span>
            </label>
            <Select
              header={tc('staffChatMembers')}
              aria-label={tc('staffChatMembers')}
              value={form.staff_chat.member_role}
              onChange={(event) =>
                set('staff_chat', {
                  member_role: event.target.value as SettingsValue['staff_chat']['member_role'],
                })
              }
            >
              {memberRoles.map((role) => (
                <option key={role} value={role}>
                  {tc(`staffChatMembers_${role}`)}
                </option>
              ))}
            </Select>
            <FieldProblem errors={errors} name="staff_chat.member_role" />
          </Section>

          <Section header={tc('routing')}>
            <Select
              header={tc('routingMode')}
              aria-label={tc('routing')}
              value={form.routing.mode}
              onChange={(event) => set('routing', { mode: event.target.value as RoutingMode })}
            >
              {routingModes.map((mode) => (
                <option key={mode} value={mode}>
                  {tc(`routing_${mode}`)}
                </option>
              ))}
            </Select>
            {form.routing.mode === 'per_category' &&
              (categories.data?.items ?? []).map((category) => {
                const chosen = form.routing.categories[category.id] ?? [];
                return (
                  <fieldset key={category.id} className="routing-staff">
                    <legend>
                      {tc('routingStaff', { category: `${category.icon} ${category.name}` })}
                    </legend>
                    {(staff.data ?? []).map((person) => (
                      <label key={person.id} className="day-chip">
                        <input
                          type="checkbox"
                          checked={chosen.includes(person.id)}
                          onChange={(event) =>
                            set('routing', {
                              categories: {
                                ...form.routing.categories,
                                [category.id]: event.target.checked
                                  ? [...chosen, person.id]
                                  : chosen.filter((other) => other !== person.id),
                              },
                            })
                          }
                        />
                        <span>{nameOf(person)}</span>
                      </label>
                    ))}
                    {chosen.length === 0 && <p className="hint">{tc('nobodyMeansAll')}</p>}
                    <FieldProblem errors={errors} name={`routing.categories.${category.id}`} />
                  </fieldset>
                );
              })}
            <FieldProblem errors={errors} name="routing.mode" />
          </Section>
        </List>
        {message && (
          <p className={message.error ? 'error-text' : 'notice'} role="status">
            {message.text}
          </p>
        )}
        <div className="section-actions">
          <Button type="submit" size="l" stretched loading={save.isPending}>
            {tc('saveSettings')}
          </Button>
        </div>
      </form>
    </main>
  );
}
