// Live support figures on a proposal page: listens on /ws/threads/{thread}/ for
// proposal.support_changed and proposal.state_changed. Progressive enhancement only:
// without JavaScript the page shows the figures as of loading and the forms work.
const box = document.querySelector("[data-proposal-live]");

function setText(selector, value) {
  for (const el of box.querySelectorAll(selector)) el.textContent = String(value);
}

function apply(event) {
  const data = event.data || {};
  if (event.type === "proposal.support_changed" || event.type === "proposal.state_changed") {
    if (data.support_count !== undefined) setText("[data-support-count]", data.support_count);
    if (data.support_needed !== undefined) setText("[data-support-needed]", data.support_needed);
    if (data.days_left !== undefined && data.days_left !== null) setText("[data-days-left]", data.days_left);
    const meter = box.querySelector("[data-support-meter]");
    if (meter && data.support_count !== undefined) {
      meter.max = data.support_needed;
      meter.value = data.support_count;
    }
  }
  if (event.type === "proposal.state_changed") {
    const state = box.querySelector("[data-state]");
    if (state) {
      let labels = {};
      try { labels = JSON.parse(box.dataset.stateLabels || "{}"); } catch { labels = {}; }
      state.className = `state state-${data.state}`;
      state.textContent = labels[data.state] || data.state;
    }
    box.dataset.stateChanged = data.state;
  }
}

function connect(threadId) {
  let lastSeq = 0;
  let delay = 1000;
  const open = () => {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws/threads/${threadId}/`);
    socket.addEventListener("open", () => {
      delay = 1000;
      if (lastSeq) socket.send(JSON.stringify({ type: "resume", after_seq: lastSeq }));
    });
    socket.addEventListener("message", (msg) => {
      let event;
      try { event = JSON.parse(msg.data); } catch { return; }
      if (typeof event.seq === "number") {
        if (event.seq <= lastSeq) return;
        lastSeq = event.seq;
      }
      apply(event);
    });
    socket.addEventListener("close", () => {
      setTimeout(open, delay);
      delay = Math.min(delay * 2, 30000);
    });
  };
  open();
}

if (box && box.dataset.thread && "WebSocket" in window) {
  connect(box.dataset.thread);
}
