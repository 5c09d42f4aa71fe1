// Connects the official Phoenix LiveView client to this server. Loaded after the client's own
// browser builds (phoenix.min.js, phoenix_live_view.min.js), which define window.Phoenix and
// window.LiveView. Hooks may be registered on window.LiveViewHooks, connect params added on
// window.LiveViewParams, and uploaders for external uploads (allow_upload(external=...)) put on
// window.LiveViewUploaders, before this script runs.
(() => {
  const meta = (name) => {
    const el = document.querySelector(`meta[name='${name}']`);
    return el ? el.getAttribute("content") : null;
  };
  // What every join sends as its params, which a connected mount reads as
  // socket.connect_params. A page adds its own with window.LiveViewParams (an object, or a
  // function of the LiveView's element returning one), set before this script runs.
  const params = (el) => {
    const own = window.LiveViewParams;
    const intl = Intl.DateTimeFormat().resolvedOptions();
    return {
      timezone: intl.timeZone,
      locale: navigator.language || intl.locale,
      ...(typeof own === "function" ? own(el) : own || {}),
      _csrf_token: meta("csrf-token"),
    };
  };
  const liveSocket = new LiveView.LiveSocket(meta("liveview-socket") || "/live", Phoenix.Socket, {
    params,
    // as Phoenix's generated app.js: a websocket that does not connect (and answer its first
    // heartbeat) within 2.5 s gives way to long polling (<live path>/longpoll), and the tab
    // remembers it
    longPollFallbackMs: 2500,
    hooks: window.LiveViewHooks || {},
    uploaders: window.LiveViewUploaders || {},
  });
  liveSocket.connect();
  window.liveSocket = liveSocket;

  // A LiveView crashed (the server pushes this just before the page rejoins): say so for a few
  // seconds; in debug, show what crashed and where until dismissed.
  let hideCrashed = null;
  window.addEventListener("phx:liveview:error", (event) => {
    const crash = event.detail || {};
    const notices = document.getElementById("lv-notices");
    if (notices) {
      notices.classList.add("lv-crashed");
      clearTimeout(hideCrashed);
      hideCrashed = setTimeout(() => notices.classList.remove("lv-crashed"), 6000);
    }
    if (crash.exception) showCrash(crash);
  });

  function showCrash(crash) {
    document.getElementById("lv-debug")?.remove();
    const panel = document.createElement("section");
    panel.id = "lv-debug";
    panel.setAttribute("role", "alertdialog");
    const add = (tag, text, attrs = {}) => {
      const el = document.createElement(tag);
      el.textContent = text;
      Object.entries(attrs).forEach(([name, value]) => el.setAttribute(name, value));
      panel.appendChild(el);
      return el;
    };
    add("button", "Close", { type: "button", id: "lv-debug-close" }).onclick = () => panel.remove();
    add("h2", crash.message || "A LiveView crashed");
    add("p", crash.exception, { id: "lv-debug-exception" });
    if (crash.callback) add("p", `in ${crash.callback}`, { id: "lv-debug-callback" });
    if (crash.where) add("p", crash.where, { id: "lv-debug-where" });
    if (crash.traceback) add("pre", crash.traceback);
    document.body.appendChild(panel);
  }
})();
