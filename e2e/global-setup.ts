import { buildWeb, isStale } from '../web/build.js';

/** Builds the Mini App before the browser tests when web/dist is missing or older than web/src. */
export default async function setup(): Promise<void> {
  if (isStale()) await buildWeb();
}
