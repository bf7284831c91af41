import '../../console.css';
import { Cell, List, Section } from '@telegram-apps/telegram-ui';
import { isAdmin, isModerator } from '../../api/console-types';
import { isStaff, type User } from '../../api/types';
import { BackLink } from '../../components/BackLink';
import { useBackButton } from '../../hooks';
import { tc } from '../../i18n/console';
import { goBack, navigate } from '../../router';
import { haptic } from '../../telegram';

/** A link to a section of the console. */
function Entry({
  icon,
  title,
  hint,
  path,
}: Readonly<{ icon: string; title: string; hint: string; path: string }>) {
  return (
    <Cell
      Component="a"
      href={path}
      before={
        <span className="entry-icon" aria-hidden="true">
          {icon}
        </span>
      }
      subtitle={hint}
      multiline
      onClick={(event: React.MouseEvent) => {
        event.preventDefault();
        haptic('tap');
        navigate(path);
      }}
    >
      {title}
    </Cell>
  );
}

/** The admin console's home: the sections the user's role may open. */
export default function AdminHome({ user }: Readonly<{ user: User }>) {
  useBackButton(goBack);
  return (
    <main className="page admin">
      <BackLink onBack={goBack} />
      <h1 className="page-title">{tc('adminTitle')}</h1>
      {isStaff(user.role) ? (
        <List>
          <Section>
            <Entry
              icon="💬"
              title={tc('cannedReplies')}
              hint={tc('cannedRepliesHint')}
              path="/canned-replies"
            />
            {isModerator(user.role) && (
              <Entry icon="👥" title={tc('people')} hint={tc('peopleHint')} path="/admin/users" />
            )}
            {isModerator(user.role) && (
              <Entry
                icon="📊"
                title={tc('analytics')}
                hint={tc('analyticsHint')}
                path="/admin/analytics"
              />
            )}
            {isAdmin(user.role) && (
              <Entry
                icon="🗂"
                title={tc('categories')}
                hint={tc('categoriesHint')}
                path="/admin/categories"
              />
            )}
            {isAdmin(user.role) && (
              <Entry
                icon="⚙️"
                title={tc('settings')}
                hint={tc('settingsHint')}
                path="/admin/settings"
              />
            )}
          </Section>
        </List>
      ) : (
        <p className="field-note">{tc('notAllowed')}</p>
      )}
    </main>
  );
}
