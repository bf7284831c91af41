/**
 * The keys of everything the Mini App caches with TanStack Query, in one place: a write
 * invalidates by the same key the reader caches under. A key that starts another (`tickets()`
 * starts every `ticketList(…)`) invalidates all of them at once.
 */
export const queryKeys = {
  /** The server's public settings (`/config`). */
  config: () => ['config'] as const,
  /** The categories, named in this language. */
  categories: (language: string) => ['categories', language] as const,
  /** One user (`/users/{id}`). */
  user: (id: string | null) => ['user', id] as const,
  /** The staff a ticket can be assigned to. */
  agents: () => ['agents'] as const,
  /** Every ticket list. */
  tickets: () => ['tickets'] as const,
  /** One ticket list: its filters, status and sort. */
  ticketList: (scope: object, status: string, sort: string | undefined) =>
    ['tickets', scope, status, sort] as const,
  /** Every set of ticket counts. */
  counts: () => ['counts'] as const,
  /** The ticket counts under these filters. */
  countsOf: (scope: object) => ['counts', scope] as const,
  /** One ticket. */
  ticket: (id: string) => ['ticket', id] as const,
  /** The ticket with this number (a `ticket_<number>` start parameter). */
  ticketByNumber: (number: number) => ['ticket-number', number] as const,
  /** A ticket's rating; its status is part of the key, so a status change asks again. */
  ticketRating: (id: string, status?: string) =>
    status === undefined
      ? (['ticket-rating', id] as const)
      : (['ticket-rating', id, status] as const),
  /** All messages of a ticket, oldest first. */
  messages: (ticketId: string) => ['messages', ticketId] as const,
  /** Every page of the people list (admin console). */
  people: () => ['people'] as const,
  /** The people list under these filters. */
  peopleList: (filters: object) => ['people', filters] as const,
  /** A person's tickets. */
  personTickets: (id: string) => ['person-tickets', id] as const,
  /** A person's activity timeline. */
  activity: (id: string) => ['activity', id] as const,
  /** Every category, inactive too, with open counts (admin console). */
  adminCategories: () => ['admin-categories'] as const,
  /** The settings of `/settings`. */
  settings: () => ['settings'] as const,
  /** The signed-in user with their notification preferences (`/auth/me`). */
  me: () => ['me'] as const,
  /** The signed-in user's notifications. */
  notifications: () => ['notifications'] as const,
  /** How many of them are unread. */
  unreadCount: () => ['notifications-unread'] as const,
  /** The signed-in staff member's canned replies, own and shared. */
  cannedReplies: () => ['canned-replies'] as const,
  /** Every answer of the stats API (the analytics page). */
  stats: () => ['stats'] as const,
  /** One stats answer: its endpoint and query. */
  statsOf: (endpoint: string, params: object) => ['stats', endpoint, params] as const,
  /** The support team's time zone, as the stats API reports it. */
  statsZone: () => ['stats-zone'] as const,
  /** All files of a ticket. */
  ticketFiles: (ticketId: string) => ['ticket-files', ticketId] as const,
};
