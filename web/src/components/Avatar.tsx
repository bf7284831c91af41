import { useState } from 'react';

/** The person's initials: first letters of the first and last name. */
function initialsOf(first: string, last: string | null | undefined): string {
  return `${[...first][0] ?? ''}${[...(last ?? '')][0] ?? ''}`.toUpperCase() || '?';
}

/** A hue from the id, so a person keeps their colour. */
function hueOf(id: string): number {
  let hash = 0;
  for (const char of id) hash = (hash * 31 + char.charCodeAt(0)) % 360;
  return hash;
}

/** A round photo (`avatar_url`), or the initials on a colour of the person's own. */
export function Avatar({
  person,
  size = 40,
}: Readonly<{
  person: { id: string; first_name: string; last_name: string | null; avatar_url?: string | null };
  size?: number;
}>) {
  const [broken, setBroken] = useState(false);
  const style = { width: size, height: size, fontSize: size * 0.4 };
  if (person.avatar_url && !broken) {
    return (
      <img
        className="avatar"
        src={person.avatar_url}
        alt=""
        style={style}
        loading="lazy"
        onError={() => setBroken(true)}
      />
    );
  }
  return (
    <span
      className="avatar initials"
      aria-hidden="true"
      style={{ ...style, background: `hsl(${hueOf(person.id)} 55% 48%)` }}
    >
      {initialsOf(person.first_name, person.last_name)}
    </span>
  );
}
