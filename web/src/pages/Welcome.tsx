import { useQuery } from '@tanstack/react-query';
import { Button, List, Placeholder, Section } from '@telegram-apps/telegram-ui';
import { useState } from 'react';
import { ApiError, signInAsDemo } from '../api/client';
import { queryKeys } from '../api/query-keys';
import { roles, type Role, type User } from '../api/types';
import { t } from '../i18n';

/** Opened outside Telegram: how to open the app, and demo sign-in when the server offers it. */
export default function Welcome({ onSignedIn }: Readonly<{ onSignedIn: (user: User) => void }>) {
  const config = useQuery({
    queryKey: queryKeys.config(),
    queryFn: async () => {
      const response = await fetch('/api/v1/config');
      return (await response.json()) as { demo_mode: boolean };
    },
  });
  const [busy, setBusy] = useState<Role>();
  const [error, setError] = useState<string>();

  const signIn = (role: Role) => {
    setBusy(role);
    setError(undefined);
    signInAsDemo(role)
      .then(onSignedIn)
      .catch((failure: unknown) => {
        setError(failure instanceof ApiError ? failure.message : t('signInFailed'));
        setBusy(undefined);
      });
  };

  return (
    <main className="page">
      <Placeholder header={t('outsideTitle')} description={t('outsideText')}>
        <img src="/favicon.svg" alt="" width={96} height={96} />
      </Placeholder>
      {config.data?.demo_mode && (
        <List>
          <Section header={t('demoTitle')} footer={t('demoText')}>
            <div className="demo-buttons">
              {roles.map((role) => (
                <Button
                  key={role}
                  size="m"
                  mode={role === 'user' ? 'filled' : 'bezeled'}
                  stretched
                  loading={busy === role}
                  disabled={busy !== undefined}
                  onClick={() => signIn(role)}
                >
                  {t(`role_${role}`)}
                </Button>
              ))}
            </div>
          </Section>
          {error && <p className="error-text">{error}</p>}
        </List>
      )}
    </main>
  );
}
