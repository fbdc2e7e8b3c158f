import { PushBunnyError } from "./core/errors";
import { call, httpError, type Transport } from "./core/http";
import type { BrowserSubscribeRequest, BrowserSubscription, VapidPublicKey } from "./core/types";

// The few DOM shapes push needs, declared here: the package's types target every runtime.
interface PushSubscriptionLike {
  options?: { applicationServerKey?: ArrayBuffer | null };
  toJSON(): { endpoint?: string; expirationTime?: number | null; keys?: Record<string, string> };
  unsubscribe(): Promise<boolean>;
}
interface WorkerLike {
  state: string;
  addEventListener(type: "statechange", listener: () => void): void;
}
/** The part of a ServiceWorkerRegistration that push uses. */
export interface RegistrationLike {
  active: WorkerLike | null;
  installing: WorkerLike | null;
  waiting: WorkerLike | null;
  pushManager: {
    getSubscription(): Promise<PushSubscriptionLike | null>;
    subscribe(options: {
      userVisibleOnly: boolean;
      applicationServerKey: Uint8Array;
    }): Promise<PushSubscriptionLike>;
  };
}
interface BrowserGlobals {
  navigator?: {
    serviceWorker?: {
      register(url: string, options: { scope: string }): Promise<RegistrationLike>;
      getRegistration(scope: string): Promise<RegistrationLike | undefined>;
    };
  };
  Notification?: { requestPermission(): Promise<string> };
}

export interface SubscribeOptions {
  /** Public topics of the project (PUT /v1/push/settings lists them). */
  topics?: string[];
  /** Your user id, with userHash = hex HMAC-SHA256(identity secret, userId) made by your backend. */
  userId?: string;
  userHash?: string;
  /**
   * Your own service worker's registration when it imports PushBunny's
   * (`importScripts("<baseUrl>/push/<projectId>/sw.js")`). Without it the SDK registers
   * <baseUrl>/push/<projectId>/sw.js, which a browser allows only on the Worker's own origin.
   */
  registration?: RegistrationLike;
}

export interface Push {
  /** Asks permission, subscribes this browser and stores the subscription with the project. Throws PushBunnyError. */
  subscribe(options?: SubscribeOptions): Promise<{ subscriptionId: string; receiving: boolean }>;
  /** Ends this browser's subscription; the next send finds it gone (410) and the edge deletes it. */
  unsubscribe(options?: { registration?: RegistrationLike }): Promise<boolean>;
}

const keyBytes = (base64url: string) => {
  const b64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
  const raw = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
};

const sameBytes = (a: ArrayBuffer | null | undefined, b: Uint8Array) => {
  if (!a || a.byteLength !== b.length) return false;
  const x = new Uint8Array(a);
  return x.every((v, i) => v === b[i]);
};

/** Web Push for one project through the Worker's service worker. */
export function createPush(t: Transport, projectId: string | undefined): Push {
  const g = globalThis as BrowserGlobals;
  const base = () => {
    if (!projectId) throw new PushBunnyError("unsupported", "push needs createClient({ projectId })");
    return `/push/${encodeURIComponent(projectId)}/`;
  };
  const read =
    <T>() =>
    async (res: Response) => {
      if (!res.ok) throw await httpError(res);
      return (await res.json()) as T;
    };

  const registration = async (o: SubscribeOptions, register: boolean) => {
    if (o.registration) return o.registration;
    const sw = g.navigator?.serviceWorker;
    if (!sw) throw new PushBunnyError("unsupported", "this browser has no service workers");
    const scope = t.baseUrl + base();
    if (!register) return sw.getRegistration(scope);
    const q = new URLSearchParams();
    if (o.topics?.length) q.set("topics", o.topics.join(","));
    if (o.userId && o.userHash) {
      q.set("user", o.userId);
      q.set("user_hash", o.userHash);
    }
    // Not q.size: older Safari and Firefox lack it, and the topics would silently go missing.
    const qs = q.toString();
    const reg = await sw.register(`${scope}sw.js${qs ? `?${qs}` : ""}`, { scope });
    const w = reg.installing ?? reg.waiting;
    // pushManager.subscribe() needs an active worker; PushBunny's activates at once (skipWaiting).
    if (!reg.active && w) {
      await new Promise<void>((resolve) =>
        w.addEventListener("statechange", () => {
          if (w.state === "activated") resolve();
        }),
      );
    }
    return reg;
  };

  return {
    async subscribe(o = {}) {
      const N = g.Notification;
      if (!N) throw new PushBunnyError("unsupported", "this browser has no notifications");
      // First, while the click that called us still counts as a user gesture (Safari insists).
      if ((await N.requestPermission()) !== "granted") {
        throw new PushBunnyError("permission", "notifications are blocked for this site");
      }
      const reg = await registration(o, true);
      if (!reg) throw new PushBunnyError("unsupported", "no service worker registration");
      const path = base();
      const { public_key } = await call(t, {
        method: "GET",
        path: `${path}vapid-public-key`,
        read: read<VapidPublicKey>(),
      });
      const key = keyBytes(public_key);
      let sub = await reg.pushManager.getSubscription();
      // A subscription made for an older key would be refused by the push service: replace it.
      if (sub && !sameBytes(sub.options?.applicationServerKey, key)) {
        await sub.unsubscribe();
        sub = null;
      }
      sub ??= await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
      const body = { ...sub.toJSON() } as BrowserSubscribeRequest;
      if (o.topics?.length) body.topics = o.topics;
      if (o.userId && o.userHash) {
        body.user_id = o.userId;
        body.user_hash = o.userHash;
      }
      const saved = await call(t, {
        method: "POST",
        path: `${path}subscriptions`,
        body,
        read: read<BrowserSubscription>(),
      });
      return { subscriptionId: saved.subscription_id, receiving: saved.receiving };
    },

    async unsubscribe(o = {}) {
      const reg = await registration(o, false);
      const sub = await reg?.pushManager.getSubscription();
      return sub ? sub.unsubscribe() : false;
    },
  };
}
