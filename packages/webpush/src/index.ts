export { generateVapidKeys, type VapidKeyPair } from "./keys";
export { classifyPushResponse, type PushOutcome } from "./outcome";
export {
  buildPushRequest,
  InvalidSubscriptionError,
  MAX_PAYLOAD_BYTES,
  PayloadTooLargeError,
  type PushOptions,
  type PushRequest,
  payloadBytes,
} from "./request";
export {
  DEFAULT_PUSH_HOSTS,
  type EndpointPolicy,
  endpointProblems,
  isLoopbackHost,
  type NormalizedEndpoint,
  normalizeEndpoint,
  type SubscriptionKeys,
  subscriptionProblems,
} from "./subscription";
