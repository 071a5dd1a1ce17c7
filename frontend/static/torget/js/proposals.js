// Live support figures on a proposal page: listens on /ws/threads/{thread}/ for
// proposal.support_changed and proposal.state_changed. Progressive enhancement only:
// without JavaScript the page shows the figures as of loading and the forms work.
import { connectThread } from "./thread_socket.js";
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

if (box && box.dataset.thread && "WebSocket" in window) {
  connectThread(box.dataset.thread, apply);
}
