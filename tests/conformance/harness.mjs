// The conformance harness: the official client's own `Rendered` class (phoenix_live_view, from
// npm, bundled by build.mjs) merges a join tree and then diffs, and after each step the HTML
// the client would put in the DOM is printed.
//
// Two modes:
//
//   node tests/conformance/harness.mjs [FILE]
//       FILE (or stdin) holds JSON lines: the join tree (`rendered` of the join reply), then
//       one diff per line. After each line, one line is printed: the HTML as a JSON string.
//       Lines that are empty are skipped. On an error, {"error": ...} is printed and the exit
//       status is 1.
//
//   node tests/conformance/harness.mjs --serve
//       A long-lived server for many cases (used by tests/conformance/client.py). Each input
//       line is a case {"id": any, "steps": [joinTree, diff, diff, ...]}; each output line is
//       {"id": ..., "html": [html after step 0, after step 1, ...]} or, when the client
//       throws, {"id": ..., "step": i, "html": [html of the steps before i], "error": message,
//       "stack": ...}. Every case starts from a fresh `Rendered`, as a fresh join does. The
//       first output line is a greeting:
//       {"ready": true, "client": "<phoenix_live_view version>"}.
//
//       A line may instead drive one step of a long-lived client view, for cases whose next
//       message depends on what the client shows (live components: the client's
//       `cids_will_destroy` / `cids_destroyed` exchange): {"id", "session": n, "op", "value"}
//       with op "join" (value: the join tree; starts the session), "diff" (a diff), "reset"
//       (value: cids -- `resetRender` on each, what view.ts does before `cids_will_destroy`),
//       "prune" (value: cids -- `pruneCIDs`, what view.ts does with the `cids_destroyed`
//       reply) or "end". The answer is {"id", "html": ...} after "join" and "diff" (the HTML
//       *without* normalization: every attribute the client writes is kept), {"id"} after the
//       others, or {"id", "error", "stack"} (the session is then gone).
//
// Each step goes through the same calls the client's view.ts makes: `Rendered.extract` (which
// strips the top-level "r"/"e"/"t"), then `new Rendered(viewId, diff)` for the join and
// `rendered.mergeDiff(diff)` for a diff. The HTML is produced by the client's own renderer,
// `recursiveToString` -- the method `Rendered.toString()` delegates to -- called with
// change tracking off, so that single-root subtrees that did not change are rendered in full
// rather than as `data-phx-skip` placeholders (with tracking on, the client would rely on the
// DOM it already has for those, which a harness without a DOM does not have).
//
// NORMALIZATION (the only one, stated here): `normalize` below removes the bookkeeping
// attributes the client itself writes into a root element's start tag -- `data-phx-id`
// (magic ids), `data-phx-skip`, `data-phx-component`, `data-phx-view` -- exactly where the
// client puts them, right after the tag name. Nothing else is changed: not whitespace, not
// entities, not attribute order.

const VIEW_ID = "phx-conformance";

// The bundle touches `window` in two places: deepClone (structuredClone, used for moves in
// keyed comprehensions) and the diagnostics its logError dispatches. Give it a minimal one and
// record the diagnostics: a step during which the client logs one fails.
const diagnostics = [];
const win = new EventTarget();
win.structuredClone = globalThis.structuredClone;
win.addEventListener("phx:live-view:diagnostic", (event) => {
  diagnostics.push(event.detail && event.detail.message);
});
globalThis.window = win;
// logError also writes to console.error; keep stdout clean for the line protocol.
console.error = (...args) => {
  process.stderr.write(`client console.error: ${args.map(String).join(" ")}\n`);
};

let bundle;
try {
  bundle = await import("./build/rendered.mjs");
} catch (error) {
  process.stderr.write(
    "conformance harness: tests/conformance/build/rendered.mjs could not be loaded " +
      `(${error && error.message}); run scripts/setup (or node tests/conformance/build.mjs)\n`,
  );
  process.exit(2);
}
const { Rendered, clientVersion } = bundle;

const CLIENT_ATTRS = / data-phx-(?:id|component|view)="[^"]*"| data-phx-skip(?=[\s/>])/y;

/** Remove the client's bookkeeping attributes from the start tags it rewrote (see above). */
function normalize(html) {
  let out = "";
  let i = 0;
  const tagName = /<[^\s/>!]+/g;
  let match;
  while ((match = tagName.exec(html)) !== null) {
    const end = match.index + match[0].length;
    out += html.slice(i, end);
    i = end;
    CLIENT_ATTRS.lastIndex = i;
    let attr;
    while ((attr = CLIENT_ATTRS.exec(html)) !== null) {
      i = CLIENT_ATTRS.lastIndex;
    }
    tagName.lastIndex = i;
  }
  return out + html.slice(i);
}

function render(rendered, raw) {
  const tree = rendered.get();
  const { buffer } = rendered.recursiveToString(tree, tree.c, null, false, {}, null);
  return raw ? buffer : normalize(buffer);
}

/** One client view: the join tree, then diffs, each followed by the HTML it renders
 * (normalized, unless `raw`). */
class Session {
  constructor(raw = false) {
    this.rendered = null;
    this.raw = raw;
  }

  step(message) {
    diagnostics.length = 0;
    const { diff } = Rendered.extract(message);
    if (this.rendered === null) {
      this.rendered = new Rendered(VIEW_ID, diff);
    } else {
      this.rendered.mergeDiff(diff);
    }
    const html = render(this.rendered, this.raw);
    if (diagnostics.length) {
      throw new Error(`client diagnostics: ${diagnostics.join("; ")}`);
    }
    return html;
  }
}

function errorFields(error) {
  return {
    error: String(error && error.message ? error.message : error),
    stack: error && error.stack ? String(error.stack) : null,
  };
}

async function* lines(stream) {
  let pending = "";
  stream.setEncoding("utf8");
  for await (const chunk of stream) {
    pending += chunk;
    let newline;
    while ((newline = pending.indexOf("\n")) >= 0) {
      yield pending.slice(0, newline);
      pending = pending.slice(newline + 1);
    }
  }
  if (pending) yield pending;
}

function write(obj) {
  return new Promise((resolve) => {
    if (process.stdout.write(JSON.stringify(obj) + "\n")) resolve();
    else process.stdout.once("drain", resolve);
  });
}

/** Client views driven one step at a time, by session number (see the top). */
const sessions = new Map();

function sessionStep({ session: key, op, value }) {
  if (op === "join") {
    const session = new Session(true);
    sessions.set(key, session);
    return { html: session.step(value) };
  }
  const session = sessions.get(key);
  if (session === undefined) throw new Error(`no session ${key}`);
  if (op === "diff") return { html: session.step(value) };
  if (op === "reset") {
    for (const cid of value) session.rendered.resetRender(cid);
  } else if (op === "prune") {
    session.rendered.pruneCIDs(value);
  } else if (op === "end") {
    sessions.delete(key);
  } else {
    throw new Error(`unknown op ${op}`);
  }
  return {};
}

async function serve() {
  await write({ ready: true, client: clientVersion });
  for await (const line of lines(process.stdin)) {
    if (!line.trim()) continue;
    let request;
    try {
      request = JSON.parse(line);
    } catch (error) {
      await write({ id: null, step: null, ...errorFields(error) });
      continue;
    }
    if (request.session !== undefined) {
      let reply;
      try {
        reply = { id: request.id, ...sessionStep(request) };
      } catch (error) {
        sessions.delete(request.session);
        reply = { id: request.id, ...errorFields(error) };
      }
      await write(reply);
      continue;
    }
    const session = new Session();
    const html = [];
    let failure = null;
    for (const [step, raw] of request.steps.entries()) {
      try {
        html.push(session.step(raw));
      } catch (error) {
        failure = { id: request.id, step, html, ...errorFields(error) };
        break;
      }
    }
    await write(failure || { id: request.id, html });
  }
}

async function single(path) {
  const { createReadStream } = await import("node:fs");
  const session = new Session();
  let step = 0;
  for await (const line of lines(path ? createReadStream(path) : process.stdin)) {
    if (!line.trim()) continue;
    try {
      await write(session.step(JSON.parse(line)));
    } catch (error) {
      await write({ step, ...errorFields(error) });
      process.exit(1);
    }
    step++;
  }
}

const args = process.argv.slice(2);
if (args[0] === "--serve") await serve();
else await single(args[0]);
