import { DurableObject } from "cloudflare:workers";
import {
  type CampaignLiveCounts,
  type CampaignStatus,
  campaignLiveCounts,
  createDb,
  type Db,
} from "@pushbunny/db";
import type { Env } from "../env";

/**
 * At most one frame per socket this often: counts move once per batch of 100, so a faster
 * screen would show nothing new, and each push is a D1 read.
 */
export const LIVE_PUSH_INTERVAL_MS = 250;

/**
 * At most this many watchers per campaign: each socket costs the object memory and a send per
 * frame. One more is refused before the upgrade with a 429 (the Worker turns it into RateLimitedError).
 */
export const LIVE_MAX_SOCKETS = 50;

/** After this frame nothing changes any more: the server closes the sockets with 1000. */
const FINAL: readonly CampaignStatus[] = ["sent", "cancelled"];

/** The campaign an object counts for; ids are unique, so one object per campaign id. */
export interface LiveTarget {
  projectId: string;
  campaignId: string;
}

/** What each socket keeps across hibernation: its campaign, and when it was last answered (ms). */
interface SocketState extends LiveTarget {
  answeredAt: number;
}

interface Snapshot {
  status: CampaignStatus;
  counts: CampaignLiveCounts;
  at: number;
}

/** The JSON text frame of the contract with the dashboard (/work/brief16/live.contract). */
export interface CountsFrame {
  type: "counts";
  campaign_id: string;
  status: CampaignStatus;
  counts: CampaignLiveCounts;
  at: string;
}

const TARGET_KEY = "target";

/**
 * Live counters of one campaign, pushed over hibernatable WebSockets. The rows in D1 are the
 * truth: a send batch or a tracked open only says "changed" (fire-and-forget), and the object
 * re-reads the counts at most every LIVE_PUSH_INTERVAL_MS while someone watches, through an
 * alarm, so a burst of batches costs one read and one frame. Nobody watching: a change only
 * marks the held counts stale. Hibernation drops the memory; the alarm and the sockets'
 * attachments survive, and the next read comes from D1.
 */
export class CampaignLive extends DurableObject<Env> {
  private snapshot: Snapshot | null = null;
  private stale = true;
  private target: LiveTarget | null = null;
  private lastPushAt = 0;
  private db: Db | null = null;

  /** The WebSocket upgrade (the Worker checked the campaign belongs to the project). */
  override async fetch(request: Request): Promise<Response> {
    const projectId = request.headers.get("x-pushbunny-project");
    const campaignId = request.headers.get("x-pushbunny-campaign");
    if (!projectId || !campaignId || request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("expected a WebSocket upgrade for a campaign", { status: 400 });
    }
    if (this.ctx.getWebSockets().length >= LIVE_MAX_SOCKETS) {
      return Response.json(
        {
          error: {
            code: "RATE_LIMITED",
            message: `at most ${LIVE_MAX_SOCKETS} live connections per campaign: close one, or poll`,
            issues: [],
          },
        },
        { status: 429, headers: { "Retry-After": "5" } },
      );
    }
    await this.remember({ projectId, campaignId });
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({ projectId, campaignId, answeredAt: 0 } satisfies SocketState);
    const snapshot = await this.current();
    if (snapshot) {
      server.serializeAttachment({ projectId, campaignId, answeredAt: Date.now() } satisfies SocketState);
      server.send(JSON.stringify(this.frame(snapshot)));
      if (FINAL.includes(snapshot.status)) server.close(1000, `campaign ${snapshot.status}`);
    } else {
      server.close(1011, "campaign not found");
    }
    return new Response(null, { status: 101, webSocket: client });
  }

  /**
   * Something about the campaign changed (a batch settled, a status moved, an open or a click).
   * Cheap when nobody watches; otherwise one alarm per interval, however many changes arrive.
   */
  async changed(target: LiveTarget): Promise<void> {
    await this.remember(target);
    this.stale = true;
    if (this.ctx.getWebSockets().length === 0) return;
    if ((await this.ctx.storage.getAlarm()) !== null) return;
    await this.ctx.storage.setAlarm(Math.max(Date.now(), this.lastPushAt + LIVE_PUSH_INTERVAL_MS));
  }

  /** The counts as held (read from D1 when cold or stale); null for an unknown campaign. */
  async counts(): Promise<CountsFrame | null> {
    const snapshot = await this.current();
    return snapshot ? this.frame(snapshot) : null;
  }

  override async alarm(): Promise<void> {
    const sockets = this.ctx.getWebSockets();
    if (sockets.length === 0) return;
    const before = this.snapshot;
    this.stale = true;
    const snapshot = await this.current();
    this.lastPushAt = Date.now();
    if (!snapshot) {
      // The campaign is gone (deleted): nothing will ever change, so nobody is left waiting.
      for (const ws of sockets) tryClose(ws, 1011, "campaign not found");
      return;
    }
    const moved =
      !before ||
      before.status !== snapshot.status ||
      JSON.stringify(before.counts) !== JSON.stringify(snapshot.counts);
    const final = FINAL.includes(snapshot.status);
    if (moved) {
      const text = JSON.stringify(this.frame(snapshot));
      for (const ws of sockets) trySend(ws, text);
    }
    if (final) for (const ws of sockets) tryClose(ws, 1000, `campaign ${snapshot.status}`);
  }

  /**
   * Any text from the client asks for the counts again (a manual refresh). Within the push
   * interval of this socket's last answer it gets the counts held in memory (or nothing after a
   * hibernation), never a D1 read: a client flooding frames cannot turn each change into a read.
   */
  override async webSocketMessage(ws: WebSocket): Promise<void> {
    const state = ws.deserializeAttachment() as SocketState | null;
    const now = Date.now();
    if (state && now - state.answeredAt < LIVE_PUSH_INTERVAL_MS) {
      if (this.snapshot) trySend(ws, JSON.stringify(this.frame(this.snapshot)));
      return;
    }
    const snapshot = await this.current();
    if (!snapshot) {
      tryClose(ws, 1011, "campaign not found");
      return;
    }
    if (state) ws.serializeAttachment({ ...state, answeredAt: Date.now() } satisfies SocketState);
    trySend(ws, JSON.stringify(this.frame(snapshot)));
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    // 1005/1006 are reserved: they may be received, never sent.
    tryClose(ws, code === 1005 || code === 1006 ? 1000 : code, reason);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    tryClose(ws, 1011, "socket error");
  }

  private async remember(target: LiveTarget): Promise<void> {
    if (this.target?.campaignId === target.campaignId) return;
    this.target = target;
    await this.ctx.storage.put(TARGET_KEY, target);
  }

  private async targetOf(): Promise<LiveTarget | null> {
    if (this.target) return this.target;
    this.target = (await this.ctx.storage.get<LiveTarget>(TARGET_KEY)) ?? null;
    if (!this.target) {
      const ws = this.ctx.getWebSockets()[0];
      const state = ws?.deserializeAttachment() as SocketState | null;
      this.target = state ? { projectId: state.projectId, campaignId: state.campaignId } : null;
    }
    return this.target;
  }

  private async current(): Promise<Snapshot | null> {
    if (this.snapshot && !this.stale) return this.snapshot;
    const target = await this.targetOf();
    if (!target) return null;
    // Cleared before the read: a change that lands during it marks the result stale again.
    this.stale = false;
    this.db ??= createDb(this.env.DB);
    let read: Awaited<ReturnType<typeof campaignLiveCounts>>;
    try {
      read = await campaignLiveCounts(this.db, target.projectId, target.campaignId);
    } catch (error) {
      this.stale = true;
      throw error;
    }
    if (!read) return null;
    this.snapshot = { ...read, at: Date.now() };
    return this.snapshot;
  }

  private frame(s: Snapshot): CountsFrame {
    return {
      type: "counts",
      campaign_id: this.target?.campaignId ?? "",
      status: s.status,
      counts: s.counts,
      at: new Date(s.at).toISOString(),
    };
  }
}

function trySend(ws: WebSocket, text: string): void {
  try {
    ws.send(text);
  } catch {
    // Closed meanwhile: the close handler cleans up.
  }
}

function tryClose(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // Already closed.
  }
}
