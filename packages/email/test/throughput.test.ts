import { describe, expect, it } from "vitest";
import {
  addOpenPixel,
  listUnsubscribeHeaders,
  OutboxTransport,
  type OutgoingEmail,
  renderTemplate,
  rewriteLinks,
  signOpenToken,
  signUnsubscribeToken,
} from "../src";

const SECRET = "test-tracking-secret-0123456789";

describe("the per-message send path", () => {
  it("renders, tracks and hands 5,000 messages to the outbox, with the time per message printed", async () => {
    const template = {
      subject: "{{name}}, your {{attributes.plan}} plan",
      preheader: "News for {{attributes.city}}",
      html:
        '<html><body><h1>Hi {{name}}</h1><p>{{#attributes.items}}<a href="https://shop.example.com/p/{{id}}">{{title}}</a> {{/attributes.items}}</p>' +
        '<a href="https://shop.example.com/cart">Cart</a><a href="https://shop.example.com/help">Help</a>' +
        '<a href="{{unsubscribe_url}}">Unsubscribe</a></body></html>',
      text: "Hi {{name}}\nCart: https://shop.example.com/cart\nUnsubscribe: {{unsubscribe_url}}",
    };
    let stored = 0;
    const outbox = new OutboxTransport(() => {
      stored++;
    });
    const count = 5_000;
    const started = performance.now();
    for (let batch = 0; batch < count / 100; batch++) {
      const messages: OutgoingEmail[] = [];
      for (let i = batch * 100; i < (batch + 1) * 100; i++) {
        const id = `eml_${i}`;
        const unsubscribe = `https://edge.example.com/u/${await signUnsubscribeToken(SECRET, { projectId: "prj_1", contactId: `con_${i}`, campaignId: "cmp_1" })}`;
        const rendered = renderTemplate(
          template,
          {
            email: `user${i}@example.com`,
            name: `User ${i}`,
            attributes: {
              plan: "pro",
              city: "Paris",
              items: [
                { id: i, title: "Shoes" },
                { id: i + 1, title: "Socks" },
              ],
            },
          },
          { system: { unsubscribe_url: unsubscribe } },
        );
        const tracked = await rewriteLinks(rendered.html, {
          messageId: id,
          secret: SECRET,
          clickBase: "https://edge.example.com/c/",
          exclude: (url) => url === unsubscribe,
        });
        const html = addOpenPixel(
          tracked.html,
          `https://edge.example.com/o/${await signOpenToken(SECRET, id)}`,
        );
        messages.push({
          id,
          from: "Shop <news@shop.example.com>",
          to: `user${i}@example.com`,
          subject: rendered.subject,
          html,
          text: rendered.text,
          headers: listUnsubscribeHeaders(unsubscribe),
        });
      }
      const results = await outbox.send({ idempotencyKey: `cmp_1/${batch}`, messages });
      expect(results.every((r) => r.status === "accepted")).toBe(true);
    }
    const ms = performance.now() - started;
    console.log(
      `send path: ${count} messages (render, 4 tracked links, pixel, unsubscribe token) in ${ms.toFixed(0)} ms: ` +
        `${((ms * 1000) / count).toFixed(0)} µs per message, ${Math.round(count / (ms / 1000))} messages/s on one core`,
    );
    expect(stored).toBe(count);
  }, 60_000);
});
