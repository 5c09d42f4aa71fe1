// Connects the official Phoenix LiveView client to this server. Loaded after the client's own
// browser builds (phoenix.min.js, phoenix_live_view.min.js), which define window.Phoenix and
// window.LiveView. Hooks may be registered on window.LiveViewHooks before this script runs.
(() => {
  const meta = (name) => {
    const el = document.querySelector(`meta[name='${name}']`);
    return el ? el.getAttribute("content") : null;
  };
  const liveSocket = new LiveView.LiveSocket(meta("liveview-socket") || "/live", Phoenix.Socket, {
    params: { _csrf_token: meta("csrf-token") },
    hooks: window.LiveViewHooks || {},
  });
  liveSocket.connect();
  window.liveSocket = liveSocket;
})();
