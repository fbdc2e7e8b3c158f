import type { RouteClass } from "./rules";

/**
 * Where an operation is limited: a route class (counted by the /v1 middleware, route-limits.ts),
 * "own" for the public browser routes that carry their own per-IP limits (push/public, /metrics),
 * or "none" for the liveness probes. Every operation in /v1/openapi.json has an entry (a test
 * walks the document).
 */
export type OperationLimit = RouteClass | "own" | "none";

export const OPERATION_CLASSES: Readonly<Record<string, OperationLimit>> = {
  // The SDK's hot path.
  getMessage: "message",
  recordEvents: "events",
  // The mobile SDKs' wire format (UPSTREAM.md §B): the same engine, the same budgets.
  resolveMessage: "message",

  // Push sends: each fans out to subscriptions and push services.
  sendNotification: "notification",
  broadcastNotification: "notification",

  // Subscriptions written by the tenant's backend (browsers use subscribeBrowser).
  createSubscription: "subscription",
  updateSubscription: "subscription",
  deleteSubscription: "subscription",
  getSubscription: "subscription",

  // Reads: stats, analytics, lists and settings.
  getStats: "analytics",
  deliveryAnalytics: "analytics",
  subscriptionAnalytics: "analytics",
  listSubscriptions: "analytics",
  notificationHistory: "analytics",
  getNotification: "analytics",
  listExperiments: "analytics",
  getExperiment: "analytics",
  getExperimentAnalysis: "analytics",
  getIterationProposal: "analytics",
  getAdSummary: "analytics",
  listAdCampaigns: "analytics",
  listAdChannels: "analytics",
  listAdSyncRuns: "analytics",
  getAdSyncRun: "analytics",
  getAdSyncStatus: "analytics",
  getAdInsight: "analytics",
  listAdAlerts: "analytics",
  getAdAlertRules: "analytics",
  getPushSettings: "analytics",
  getVapidPublicKey: "analytics",
  listProjects: "analytics",
  getProject: "analytics",
  listMembers: "analytics",
  listInvites: "analytics",
  listApiKeys: "analytics",
  getApiKey: "analytics",
  listAuditLog: "analytics",
  listVariants: "analytics",
  listIntentVariants: "analytics",
  getProjectLimits: "analytics",
  listContacts: "analytics",
  listWebhooks: "analytics",
  getWebhook: "analytics",
  listWebhookDeliveries: "analytics",
  getContact: "analytics",
  getContactImport: "analytics",
  listContactImports: "analytics",
  getContactImportErrors: "analytics",
  listSegments: "analytics",
  getSegment: "analytics",
  countSegment: "analytics",
  listSuppressions: "analytics",
  listTemplates: "analytics",
  getTemplate: "analytics",
  previewTemplate: "analytics",
  listCampaigns: "analytics",
  getCampaign: "analytics",
  listCampaignMessages: "analytics",
  openCampaignLive: "analytics",
  listEmailOutbox: "analytics",

  // Everything that changes the project, and admin reads of secrets.
  addVariant: "management",
  retireVariant: "management",
  updateExperiment: "management",
  pauseExperiment: "management",
  resumeExperiment: "management",
  declareWinner: "management",
  clearWinner: "management",
  analyzeExperiment: "management",
  proposeIteration: "management",
  confirmIteration: "management",
  discardIteration: "management",
  simulateExperiment: "management",
  cancelNotification: "management",
  connectAdChannel: "management",
  disconnectAdChannel: "management",
  runAdSync: "management",
  pauseAdSync: "management",
  resumeAdSync: "management",
  acknowledgeAdAlert: "management",
  resolveAdAlert: "management",
  updateAdAlertRules: "management",
  updatePushSettings: "management",
  rotateVapidKey: "management",
  getPushIdentitySecret: "management",
  rotatePushIdentitySecret: "management",
  createProject: "management",
  updateProject: "management",
  deleteProject: "management",
  updateProjectLimits: "management",
  createApiKey: "management",
  updateApiKey: "management",
  revokeApiKey: "management",
  rollApiKey: "management",
  createInvite: "management",
  revokeInvite: "management",
  acceptInvite: "management",
  updateMember: "management",
  removeMember: "management",
  listDevOutbox: "management",
  createContact: "management",
  updateContact: "management",
  deleteContact: "management",
  importContacts: "management",
  addSuppression: "management",
  createSegment: "management",
  updateSegment: "management",
  deleteSegment: "management",
  createTemplate: "management",
  updateTemplate: "management",
  deleteTemplate: "management",
  createCampaign: "management",
  updateCampaign: "management",
  deleteCampaign: "management",
  scheduleCampaign: "management",
  sendCampaign: "management",
  // A test sends mail: counted with the sends, not the edits.
  testCampaign: "notification",
  pauseCampaign: "management",
  resumeCampaign: "management",
  cancelCampaign: "management",
  // Also spends the project's generation quota (services/templates/write-copy.ts).
  writeEmailCopy: "management",
  createWebhook: "management",
  updateWebhook: "management",
  deleteWebhook: "management",
  rotateWebhookSecret: "management",
  // Each sends a request to the tenant's receiver now: counted with the sends.
  testWebhook: "notification",
  retryWebhookDelivery: "notification",
  // The project's GitHub connection (issue 17): reads call GitHub live, changes are admin-only.
  authorizeGitHub: "management",
  getGitHubConnection: "analytics",
  disconnectGitHub: "management",
  // Queues an agent run (LLM and GitHub calls); also spends the project's generation quota.
  implementWebExperiment: "management",
  // Web experiments (issue 17): reads as analytics, changes as management.
  listWebExperiments: "analytics",
  getWebExperiment: "analytics",
  getWebExperimentStatus: "analytics",
  getWebExperimentDiff: "analytics",
  getWebExperimentResults: "analytics",
  exportWebExperimentEvents: "analytics",
  createWebExperiment: "management",
  updateWebExperiment: "management",
  deleteWebExperiment: "management",
  setWebExperimentPreviewUrl: "management",
  activateWebExperiment: "management",
  finishWebExperiment: "management",
  // The web SDK's runtime calls: the same budgets as the message hot path and events.
  getWebRuntimeConfig: "message",
  recordWebExposure: "message",
  recordWebEvents: "events",

  // People signing in: per client IP (and per person once signed in).
  signup: "auth",
  login: "auth",
  logout: "auth",
  refreshSession: "auth",
  getMe: "auth",
  verifyEmail: "auth",
  resendVerificationEmail: "auth",
  requestPasswordReset: "auth",
  resetPassword: "auth",
  startGoogleSignIn: "auth",
  googleSignInCallback: "auth",

  // Browser-facing public routes with their own per-IP limits (middleware.ts `rateLimit`).
  subscribeBrowser: "own",
  getPushSubscribePage: "own",
  getPublicVapidKey: "own",
  getProjectServiceWorker: "own",
  getPushServiceWorker: "own",
  getPushSubscribeScript: "own",
  getPushSubscribeStyle: "own",
  recordPushReceipt: "own",
  getMetrics: "own",
  // Keyless: per address (route middleware) and per variant and token (the service).
  recordMetric: "own",
  // Resend's signed delivery events: per address (route middleware), then the signature.
  receiveResendWebhook: "own",
  // GitHub's setup redirect and signed webhook: per address (route middleware), then state/signature.
  githubSetup: "own",
  receiveGitHubWebhook: "own",

  // Liveness: never limited (load balancers and the bench's baseline).
  health: "none",
  apiInfo: "none",
};

/**
 * The class an operation is counted under. An operation missing from the table (added without
 * an entry; the table test fails first) is limited by what it may do rather than left open.
 */
export function classOf(operationId: string, access: string | null, path: string): OperationLimit {
  const known = OPERATION_CLASSES[operationId];
  if (known) return known;
  if (path.startsWith("/v1/auth/")) return "auth";
  return access === "read" ? "analytics" : "management";
}
