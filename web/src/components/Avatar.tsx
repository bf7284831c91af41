import { useQuery } from '@tanstack/react-query';
import { objectUrlOf } from '../api/client';

/** The person's initials: first letters of the first and last name. */
function initialsOf(first: string, last: string | null | undefined): string {
  return `${[...first][0] ?? ''}${[...(last ?? '')][0] ?? ''}`.toUpperCase() || '?';
}

/** A hue from the id, so a person keeps their colour. */
function hueOf(id: string): number {
  let hash = 0;
  for (const char of id) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) % 360;
  return hash;
}

/**
 * The photo behind an `avatar_url`, once per URL for the session (the URL carries the photo's
 * version, so a new photo is a new URL).
 */
function usePhoto(url: string | null | undefined) {
  return useQuery({
    queryKey: ['avatar', url],
    queryFn: ({ signal }) => objectUrlOf(url ?? '', signal),
    enabled: Boolean(url),
    staleTime: Infinity,
    gcTime: Infinity,
    retry: false,
  });
}

/** A round photo (`avatar_url`), or the initials on a colour of the person's own. */
export function Avatar({
  person,
  size = 40,
}: Readonly<{
  person: { id: string; first_name: string; last_name: string | null; avatar_url?: string | null };
  size?: number;
}>) {
  const photo = usePhoto(person.avatar_url);
  const style = { width: size, height: size, fontSize: size * 0.4 };
  if (photo.data) {
    return <img className="avatar" src={photo.data} alt="" style={style} />;
  }
  return (
    <span
      className="avatar initials"
      aria-hidden="true"
      style={{ ...style, background: `hsl(${hueOf(person.id)} 55% 42%)` }}
    >
      {initialsOf(person.first_name, person.last_name)}
    </span>
  );
}
