import type { Env } from "./env";
import { createApp } from "./http/app";
import { handleQueue } from "./queue";
import { handleScheduled } from "./scheduled";

export { CampaignLive } from "./durable/campaign-live";
export { RateLimitCounter } from "./durable/rate-limit-counter";
export { RoundRobinCounter } from "./durable/round-robin-counter";

const app = createApp();

export default {
  fetch: app.fetch,
  queue: handleQueue,
  scheduled: handleScheduled,
} satisfies ExportedHandler<Env>;
