import { AsyncLocalStorage } from 'node:async_hooks';

/** A change made in a staff topic: by whom, as the customer's notice is to be signed. */
export interface StaffTopicOrigin {
  /** The writer's name when replies are signed (`staff_chat.sign_replies`), else null. */
  signature: string | null;
}

/**
 * Marks a change made from a staff topic (a staff member writing there), so its message is not
 * posted back into the topic it came from (`outbox.ts`) and the customer's notice of it is
 * signed as the settings say (`notifications/service.ts`). Set around the service call by the
 * bot's staff group feature; every other change runs without it.
 */
const fromTopic = new AsyncLocalStorage<StaffTopicOrigin>();

/** Runs `change` as one made in the staff topic. */
export function inStaffTopic<T>(origin: StaffTopicOrigin, change: () => Promise<T>): Promise<T> {
  return fromTopic.run(origin, change);
}

/** The origin of the change under way when it was made in a staff topic, else undefined. */
export function staffTopicOrigin(): StaffTopicOrigin | undefined {
  return fromTopic.getStore();
}
