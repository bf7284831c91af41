import { z } from 'zod';

/** `/{id}` path parameters: a UUID, or a 422 naming `params.id`. */
export const idParams = z.object({ id: z.uuid().describe('The UUID of the resource') });
