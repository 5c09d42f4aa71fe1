// The bench app on LiveViewJS (npm `liveviewjs` + `@liveviewjs/express`), written against its
// public API, following the @liveviewjs/express README: express + express-session for the HTTP
// render, a `ws` WebSocketServer for the live connection, the in-memory SingleProcessPubSub.
//
// Same shapes and markup as ours.py: mount subscribes to the topic and sets the count; a click
// broadcasts count + 1; handleInfo assigns it (and, for issue 19's shapes, builds the rows or
// appends the message and assigns those too). The count is the template's first dynamic, so the
// diffs carry it as "0". Installed and run only from the temporary directory run.py prepares:
//   NODE_PATH=<peers>/node_modules node bench/apps/liveviewjs_app.js --port 8000
"use strict";

const fs = require("fs");
const http = require("http");
const events = require("events");

// When it loads, liveviewjs fetches a mime database from cdn.jsdelivr.net (used for uploads).
// The bench stays on loopback: answer that one request from the local `mime-db` package.
const realFetch = globalThis.fetch;
globalThis.fetch = async (url, ...rest) => {
  if (String(url).includes("mime-db")) {
    const db = fs.readFileSync(require.resolve("mime-db/db.json"));
    return new Response(db, { status: 200, headers: { "content-type": "application/json" } });
  }
  return realFetch(url, ...rest);
};
const express = require("express");
const session = require("express-session");
const { WebSocketServer } = require("ws");
const { createLiveView, html, safe, SingleProcessPubSub } = require("liveviewjs");
const { NodeExpressLiveViewServer } = require("@liveviewjs/express");

const TOPIC = "bench";
// The in-memory pub/sub is one EventEmitter: 1,000 subscribers exceed its default warning
// threshold of 10 listeners (a warning only; delivery is unaffected).
events.EventEmitter.defaultMaxListeners = 0;
const pubSub = new SingleProcessPubSub();

const SHAPE = process.env.BENCH_SHAPE || "list"; // as in ours.py

function items(count) {
  const out = [];
  if (SHAPE === "feed") {
    for (let v = count; v > count - 10; v--) {
      out.push({ cls: v % 2 === 0 ? "even" : "odd", n: v, value: v * 10 });
    }
    return out;
  }
  for (let i = 0; i < 10; i++) {
    out.push({ cls: (count + i) % 2 === 0 ? "even" : "odd", n: i + 1, value: count * 10 + i });
  }
  return out;
}

// The page around the list's entries (`items`, an array of html templates). The "user" shape's
// page has one line more: the signed-in user after the h1.
const page = (context, items) => html`<main class="bench">
  <h1>Shared count: <span id="count">${context.count}</span></h1>
  <header class="top">
    <nav>
      <a href="#home">Home</a>
      <a href="#docs">Docs</a>
      <a href="#about">About</a>
    </nav>
  </header>
  <p class="lead">Every page subscribed to the topic shows the same count.</p>
  <button id="inc" phx-click="inc">Increment</button>
  <ul id="items">
    ${items}
  </ul>
  <section class="about">
    <h2>About this page</h2>
    <p>This page is the fan-out benchmark's app.</p>
    <p>One click publishes the next count to a topic.</p>
    <p>Every subscribed LiveView assigns it and re-renders.</p>
    <p>The list below the count depends on it.</p>
  </section>
  <footer>
    <p>Static footer, line one.</p>
    <p>Static footer, line two.</p>
  </footer>
</main>`;

const userPage = (context, items) => html`<main class="bench">
  <h1>Shared count: <span id="count">${context.count}</span></h1>
  <p class="user">Signed in as ${context.user}</p>
  <header class="top">
    <nav>
      <a href="#home">Home</a>
      <a href="#docs">Docs</a>
      <a href="#about">About</a>
    </nav>
  </header>
  <p class="lead">Every page subscribed to the topic shows the same count.</p>
  <button id="inc" phx-click="inc">Increment</button>
  <ul id="items">
    ${items}
  </ul>
  <section class="about">
    <h2>About this page</h2>
    <p>This page is the fan-out benchmark's app.</p>
    <p>One click publishes the next count to a topic.</p>
    <p>Every subscribed LiveView assigns it and re-renders.</p>
    <p>The list below the count depends on it.</p>
  </section>
  <footer>
    <p>Static footer, line one.</p>
    <p>Static footer, line two.</p>
  </footer>
</main>`;

const handleEvent = async (event, socket) => {
  if (event.type === "inc") {
    await pubSub.broadcast(TOPIC, { type: "count", count: socket.context.count + 1 });
  }
};

// Shapes "list" and "feed": the list derived from the count in render.
const benchLiveView = createLiveView({
  mount: async (socket) => {
    socket.assign({ count: 0 });
    await socket.subscribe(TOPIC); // a no-op in the HTTP render
  },
  handleEvent,
  handleInfo: (info, socket) => {
    socket.assign({ count: info.count });
  },
  render: (context) =>
    page(
      context,
      items(context.count).map((it) => html`<li class="${it.cls}">Item ${it.n}: ${it.value}</li>`),
    ),
});

// Shapes "built" and "user" (issue 19): handleInfo builds the rows and assigns them.
function builtRows(count) {
  const rows = [];
  for (let i = 0; i < 10; i++) {
    rows.push({
      cls: (count + i) % 2 === 0 ? "even" : "odd",
      text: `Item ${i + 1}: ${count * 10 + i}`,
    });
  }
  return rows;
}

const rowItems = (rows) => rows.map((row) => html`<li class="${row.cls}">${row.text}</li>`);

const builtLiveView = createLiveView({
  mount: async (socket) => {
    socket.assign({ count: 0, rows: builtRows(0) });
    await socket.subscribe(TOPIC);
  },
  handleEvent,
  handleInfo: (info, socket) => {
    socket.assign({ count: info.count, rows: builtRows(info.count) });
  },
  render: (context) => page(context, rowItems(context.rows)),
});

const userLiveView = createLiveView({
  mount: async (socket) => {
    socket.assign({ count: 0, rows: builtRows(0), user: `user-${socket.id}` });
    await socket.subscribe(TOPIC);
  },
  handleEvent,
  handleInfo: (info, socket) => {
    socket.assign({ count: info.count, rows: builtRows(info.count) });
  },
  render: (context) => userPage(context, rowItems(context.rows)),
});

// Shape "chat" (issue 19): the click broadcasts a message; each LiveView appends the message it
// receives to its own list of the last 50.
const CHAT_LENGTH = 50;

function message(count) {
  return { id: count, author: `user${count % 7}`, text: `${String(count).padStart(6)} ${"x".repeat(53)}` };
}

const chatLiveView = createLiveView({
  mount: async (socket) => {
    socket.assign({ count: 0, messages: [] });
    await socket.subscribe(TOPIC);
  },
  handleEvent: async (event, socket) => {
    if (event.type === "inc") {
      const count = socket.context.count + 1;
      await pubSub.broadcast(TOPIC, { type: "count", count, message: message(count) });
    }
  },
  handleInfo: (info, socket) => {
    const messages = [...socket.context.messages.slice(-(CHAT_LENGTH - 1)), info.message];
    socket.assign({ count: info.count, messages });
  },
  render: (context) =>
    page(
      context,
      context.messages.map((m) => html`<li id="m${m.id}"><b>${m.author}</b> ${m.text}</li>`),
    ),
});

const SHAPES = {
  list: benchLiveView,
  feed: benchLiveView,
  built: builtLiveView,
  user: userLiveView,
  chat: chatLiveView,
};

const pageRenderer = (pageTitleDefaults, csrfToken, content) => html`<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="csrf-token" content="${csrfToken}" />
    <title>bench</title>
    <script defer type="text/javascript" src="/client-liveview.js"></script>
  </head>
  <body>
    ${safe(content)}
  </body>
</html>`;

const args = process.argv.slice(2);
const port = Number(args[args.indexOf("--port") + 1] || 8000);

const liveView = new NodeExpressLiveViewServer(
  { "/bench": SHAPES[SHAPE] },
  pageRenderer,
  { title: "bench" },
  { pubSub, serDeSigningSecret: "bench-not-secret" },
);

const app = express();
app.use(session({ secret: "bench-not-secret", resave: false, saveUninitialized: true }));
app.use(liveView.httpMiddleware());

const server = http.createServer(app);
// No compression, as for every server in the bench, unless run.py --deflate sets BENCH_DEFLATE.
const perMessageDeflate = process.env.BENCH_DEFLATE === "1";
const wsServer = new WebSocketServer({ server, path: "/live/websocket", perMessageDeflate });
liveView.wsMiddleware()(wsServer);

server.listen(port, "127.0.0.1", () => console.log(`liveviewjs bench app on 127.0.0.1:${port}`));
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    wsServer.close();
    server.close();
    process.exit(0);
  });
}
