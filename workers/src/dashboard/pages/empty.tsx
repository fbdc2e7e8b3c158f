/** The first request a project's code makes: what every empty page tells people to try. */
export function FirstMessage(p: { origin: string; projectId: string; keysHref: string; secret?: string }) {
  const key = p.secret ?? "<your API key>";
  const curl = [
    `curl -s ${p.origin}/v1/message \\`,
    `  -H "Authorization: Bearer ${key}" -H 'Content-Type: application/json' \\`,
    `  -d '{"intent_id":"cart_abandonment","base_example":"You left items in your cart","locale":"en-US","user_id":"u_42"}'`,
  ].join("\n");
  return (
    <div class="panel notice">
      <h2>Send your first message</h2>
      <p>
        Experiments appear here when your app asks for copy.{" "}
        {p.secret ? null : <a href={p.keysHref}>Create an API key</a>}
        {p.secret ? "Run this with the key you just created:" : ", then run:"}
      </p>
      <pre class="code" tabindex={0}>
        {curl}
      </pre>
    </div>
  );
}
