import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One request as the stub saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export type StubReply =
  | { status: number; json: unknown; headers?: Record<string, string> }
  | { status: number; text: string; headers?: Record<string, string> }
  | "hang";

/**
 * A local stand-in for generativelanguage.googleapis.com speaking the real REST protocol:
 * POST /{apiVersion}/models/{model}:generateContent with x-goog-api-key, JSON in and out, and
 * `{ error: { code, message, status, details } }` bodies on failure.
 */
export interface GeminiStub {
  baseUrl: string;
  requests: RecordedRequest[];
  reply: (req: RecordedRequest) => StubReply;
  close: () => Promise<void>;
}

export async function startGeminiStub(): Promise<GeminiStub> {
  const stub: GeminiStub = {
    baseUrl: "",
    requests: [],
    reply: () => ({ status: 500, json: apiError(500, "no reply configured", "INTERNAL") }),
    close: async () => {},
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      let body: unknown = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        // Keep the raw text; the assertions will show what went wrong.
      }
      const recorded: RecordedRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body,
      };
      stub.requests.push(recorded);
      const reply = stub.reply(recorded);
      if (reply === "hang") return; // Never answer: the client's timeout must kick in.
      if ("json" in reply) {
        res.writeHead(reply.status, { "content-type": "application/json; charset=UTF-8", ...reply.headers });
        res.end(JSON.stringify(reply.json));
      } else {
        res.writeHead(reply.status, { "content-type": "text/html; charset=UTF-8", ...reply.headers });
        res.end(reply.text);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  // Never keep the test process alive on the stub's account (the Worker tests start one
  // from the Vitest config and never close it explicitly).
  server.unref();
  server.on("connection", (socket) => socket.unref());
  const { port } = server.address() as AddressInfo;
  stub.baseUrl = `http://127.0.0.1:${port}`;
  stub.close = () =>
    new Promise<void>((resolve) => {
      // Hanging requests keep their sockets open; drop them so close() does not wait forever.
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return stub;
}

/** A successful generateContent body whose only part carries `text`. */
export function modelReply(text: string): unknown {
  return {
    candidates: [
      {
        content: { parts: [{ text }], role: "model" },
        finishReason: "STOP",
        index: 0,
      },
    ],
    usageMetadata: { promptTokenCount: 212, candidatesTokenCount: 48, totalTokenCount: 260 },
    modelVersion: "gemini-test",
    responseId: "stub-response-1",
  };
}

/** A Google API error body. */
export function apiError(code: number, message: string, status: string, details: unknown[] = []): unknown {
  return { error: { code, message, status, ...(details.length > 0 ? { details } : {}) } };
}
