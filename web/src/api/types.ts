/**
 * The API shapes the Mini App uses, by name. None is written here: each is a schema of the
 * generated contract (`schema.d.ts` and `schema-values.ts`, from the server's `/openapi.json`;
 * `npm run api:generate` regenerates them after a server change).
 */
import type { components, paths } from './schema';
import * as schemaValues from './schema-values';

type Schemas = components['schemas'];

/** The signed-in user (`/auth/me`, the `user` of a sign-in). */
export type User = Schemas['Me'];
/** Another user, as `/users/{id}` answers. */
export type Person = Schemas['User'];
export type TokenPair = Schemas['TokenPair'];
export type Ticket = Schemas['Ticket'];
export type Attachment = Schemas['Attachment'];
export type Message = Schemas['Message'];
export type Category = Schemas['Category'];
/** A ticket's current rating and whether the caller may rate it (`/tickets/{id}/rating`). */
export type TicketRating = Schemas['TicketRating'];
/** A customer's rating of a resolution. */
export type Rating = Schemas['Rating'];
/** A saved answer staff insert into replies (`/canned-replies`). */
export type CannedReply = Schemas['CannedReply'];
/** Ticket counts by status, and their total. */
export type Counts = Schemas['TicketCounts'];
/** An application/problem+json body. */
export type Problem = Schemas['Problem'];
/** A field problem of a 422. */
export type FieldError = NonNullable<Problem['errors']>[number];

export type Role = User['role'];
export type Status = Ticket['status'];
export type Priority = Ticket['priority'];

/** The roles, lowest first. */
export const roles: readonly Role[] = schemaValues.Me.role.enum;
/** The ticket statuses, in the order of their life. */
export const statuses: readonly Status[] = schemaValues.Ticket.status.enum;
/** The priorities, lowest first. */
export const priorities: readonly Priority[] = schemaValues.Ticket.priority.enum;
/** Where a ticket stands against its service level targets. */
export type SlaState = NonNullable<Ticket['sla']>['state'];
/** The SLA states, as the list filter offers them. */
export const slaStates: readonly SlaState[] = schemaValues.TicketSla.state.enum;
/** Length limits of a new ticket's title and description. */
export const newTicketLimits = {
  title: schemaValues.TicketCreate.title,
  description: schemaValues.TicketCreate.description,
};
/** Length limit of a rating's comment. */
export const ratingCommentLimit = schemaValues.RatingCreate.comment;
/** Length limits of a message. */
export const messageLimits = { content: schemaValues.MessageCreate.content };

type TicketList = paths['/api/v1/tickets']['get']['responses'][200]['content']['application/json'];

/** A ticket's files (`/tickets/{id}/attachments`), or those an upload stored. */
export type AttachmentList =
  paths['/api/v1/tickets/{id}/attachments']['get']['responses'][200]['content']['application/json'];

/**
 * A page of a list. Every list pages alike; its items are whole here because the Mini App asks
 * for cut-down items (`?fields=`) only where it says so (`Pick<Ticket, …>`).
 */
export type Page<T> = Omit<TicketList, 'items'> & { items: T[] };

/** True for agents and above. */
export function isStaff(role: Role | undefined): boolean {
  return role !== undefined && role !== 'user';
}
