// The live notification badge in the header: /ws/notifications/ sends the unread
// count on connect, with every `notification.created` and after marking read
// elsewhere. Reconnects with backoff and resumes by id so nothing is missed; stops on
// a refusal (4401). Without JavaScript the badge shows the count of the page load.
const badge = document.querySelector("[data-notification-badge]");
if (badge) {
  const count = badge.querySelector("[data-unread-count]");
  const wrap = badge.querySelector("[data-unread]");
  let lastId = 0;
  let delay = 1000;
  const show = (n) => {
    if (typeof n !== "number") return;
    count.textContent = String(n);
    wrap.classList.toggle("is-zero", n === 0);
    badge.dataset.unreadValue = String(n);
  };
  const open = () => {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws/notifications/`);
    socket.addEventListener("open", () => {
      delay = 1000;
      if (lastId) socket.send(JSON.stringify({ type: "resume", after: lastId }));
    });
    socket.addEventListener("message", (msg) => {
      let event;
      try { event = JSON.parse(msg.data); } catch { return; }
      if (event.type === "notification.created" && event.data) {
        if (event.data.id <= lastId) return;
        lastId = event.data.id;
        show(event.unread);
        badge.dispatchEvent(new CustomEvent("torget:notification", { detail: event.data, bubbles: true }));
      } else if (event.type === "unread") {
        show(event.unread);
      }
    });
    socket.addEventListener("close", (event) => {
      if (event.code >= 4400 && event.code < 4500) return;
      setTimeout(open, delay);
      delay = Math.min(delay * 2, 30000);
    });
  };
  open();
}
