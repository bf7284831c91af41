/** API shapes the Mini App uses (docs/api.md; `/openapi.json` is the full reference). */

export type Role = 'user' | 'agent' | 'moderator' | 'admin' | 'owner';
export type Status = 'open' | 'in_progress' | 'waiting' | 'resolved' | 'closed';
export type Priority = 'low' | 'normal' | 'high' | 'critical';

export const statuses: readonly Status[] = ['open', 'in_progress', 'waiting', 'resolved', 'closed'];
export const priorities: readonly Priority[] = ['low', 'normal', 'high', 'critical'];

export interface User {
  id: string;
  telegram_id: number | null;
  username: string | null;
  first_name: string;
  last_name: string | null;
  role: Role;
  avatar_url: string | null;
  language_code: string | null;
}

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  user: User;
}

export interface Ticket {
  id: string;
  number: number;
  user_id: string;
  assigned_to: string | null;
  category_id: string;
  title: string;
  description: string;
  status: Status;
  priority: Priority;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  attachments?: Attachment[];
}

export interface Attachment {
  id: string;
  file_name: string;
  mime_type: string;
  size: number;
  url: string;
  preview_url: string | null;
  scan_status: string;
}

export interface Author {
  id: string;
  first_name: string;
  last_name: string | null;
  avatar_url: string | null;
  is_staff: boolean;
}

export interface Message {
  id: string;
  ticket_id: string;
  user_id: string;
  author: Author | null;
  content: string;
  attachments: Attachment[];
  is_internal: boolean;
  created_at: string;
  edited_at: string | null;
}

export interface Category {
  id: string;
  name: string;
  description: string | null;
  icon: string | null;
  color: string;
  /** The name (and description) in other languages, by language code. */
  translations?: Partial<Record<string, { name: string; description?: string }>>;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export type Counts = Record<Status | 'total', number>;

/** A field problem of a 422. */
export interface FieldError {
  field: string;
  message: string;
}

/** True for agents and above. */
export function isStaff(role: Role | undefined): boolean {
  return role !== undefined && role !== 'user';
}
