// Wire shapes, all taken from the generated description of the API so a route change that the
// SDK depends on breaks the type check (see test/generated-types.test.ts).
import type { components, operations } from "../generated/api";

type Schemas = components["schemas"];

export type MessageRequest = Schemas["MessageRequest"];
export type MessageResponse = Schemas["MessageResponse"];
export type EventInput = Schemas["EventInput"];
export type EventsResponse = Schemas["EventsResponse"];
export type Stats = Schemas["Stats"];
export type StatsQuery = operations["getStats"]["parameters"]["query"];
export type ErrorEnvelope = Schemas["Error"];
export type VapidPublicKey = Schemas["VapidPublicKey"];
export type BrowserSubscribeRequest = Schemas["BrowserSubscribeRequest"];
export type BrowserSubscription = Schemas["BrowserSubscription"];

/** What the app asks copy for: the notification's intent and the text to fall back on. */
export interface Intent {
  intentId: string;
  baseExample: string;
  /** BCP 47 tag; omitted = the project's default locale. */
  locale?: string | null;
  userId?: string | null;
  context?: Record<string, string | number | boolean> | null;
}

/** The copy to show. `fallback: true` means the edge could not answer in time: `text` is the base example and nothing is tracked. */
export interface Message {
  text: string;
  variantId: string | null;
  experimentId: string | null;
  trackingToken: string | null;
  locale: string | null;
  fallback: boolean;
}

/** An open or a conversion of a message that was shown. */
export interface TrackEvent {
  type: EventInput["type"];
  trackingToken: string;
  /** Unix milliseconds; now when omitted. */
  timestamp?: number;
  properties?: Record<string, string>;
}

// Web experiments' wire shapes, written by hand from the contract in issue 17 until
// openapi.json describes /v1/web/*; then `pnpm sdk:types` can replace them with generated ones.

/** One active web experiment as GET /v1/web/experiments lists it. */
export interface WebExperiment {
  key: string;
  segments: { key: string; traffic_percent: number }[];
  /** Metric names, the primary first. */
  metrics: string[];
}

export interface WebExperimentsResponse {
  experiments: WebExperiment[];
  refresh_seconds: number;
}

export interface WebExposureResponse {
  experiment: string;
  segment: string;
  tracking_token: string;
}

/** A metric of a web experiment, counted against the exposure its token stands for. */
export interface WebEventInput {
  tracking_token: string;
  event: string;
  /** Unix milliseconds. */
  timestamp: number;
  properties?: Record<string, string>;
}
