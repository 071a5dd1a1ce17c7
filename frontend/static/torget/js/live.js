// The live thread: connects to /ws/threads/{id}/, inserts new comments, updates
// edits, hidden/deleted comments, reaction counts, presence and a proposal's support
// figures; after a dropped connection it reconnects with backoff and sends
// {"type": "resume", "after_seq": N} so it receives exactly what it missed.
// Progressive enhancement only: without JavaScript the thread reads and posts.
// Comments are inserted as server-rendered, sanitised HTML fragments (the same
// template as the page), never built from raw text. See docs/realtime.md.

const FRAGMENT = (threadId, commentId) => `/threads/${threadId}/comments/${commentId}/fragment/`;

function parseHTML(html) {
  const template = document.createElement("template");
  template.innerHTML = html; // server-rendered by Django, text escaped, Markdown sanitised
  return template.content;
}

class LiveThread {
  constructor(root) {
    this.root = root;
    this.threadId = root.dataset.threadId;
    this.lastSeq = Number(root.dataset.lastSeq || 0);
    this.isLastPage = root.dataset.pageLast === "1";
    this.conversation = root.dataset.view !== "arguments";
    this.delay = 1000;
    this.stopped = false;
    this.queue = Promise.resolve(); // apply events strictly in order
    this.connect();
    // Reactions without a page reload: the same form, sent with fetch; the new counts
    // arrive over the socket (reaction.changed) like everyone else's.
    root.addEventListener("submit", (ev) => {
      const form = ev.target;
      if (!(form instanceof HTMLFormElement) || !form.classList.contains("reactions")) return;
      const button = ev.submitter;
      if (!button || !this.socket || this.socket.readyState !== WebSocket.OPEN) return;
      ev.preventDefault();
      const body = new FormData(form);
      body.set("kind", button.value);
      fetch(form.action, { method: "POST", body, credentials: "same-origin", redirect: "manual" })
        .then(() => {
          const mine = button.getAttribute("aria-pressed") !== "true";
          button.setAttribute("aria-pressed", String(mine));
          button.classList.toggle("is-mine", mine);
        })
        .catch(() => form.submit());
    });
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden && (!this.socket || this.socket.readyState > 1)) this.reconnectNow();
    });
  }

  connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws/threads/${this.threadId}/`);
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.delay = 1000;
      this.root.dataset.live = "connected";
      socket.send(JSON.stringify({ type: "resume", after_seq: this.lastSeq }));
    });
    socket.addEventListener("message", (msg) => {
      let event;
      try {
        event = JSON.parse(msg.data);
      } catch {
        return;
      }
      if (typeof event.seq === "number") {
        if (event.seq <= this.lastSeq) return; // already applied
        this.lastSeq = event.seq;
      }
      this.queue = this.queue.then(() => this.apply(event)).catch(() => {});
    });
    socket.addEventListener("close", (ev) => {
      this.root.dataset.live = "disconnected";
      if (this.stopped || [4401, 4403, 4404].includes(ev.code)) return;
      const wait = this.delay + Math.random() * 500;
      this.delay = Math.min(this.delay * 2, 30000);
      this.timer = setTimeout(() => this.connect(), wait);
    });
  }

  reconnectNow() {
    clearTimeout(this.timer);
    this.delay = 1000;
    this.connect();
  }

  announce(text) {
    const status = this.root.querySelector("[data-live-status]");
    if (status) status.textContent = text;
  }

  async fragment(commentId) {
    const resp = await fetch(FRAGMENT(this.threadId, commentId), {
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    });
    if (!resp.ok) return null;
    return parseHTML(await resp.text());
  }

  async apply(event) {
    const data = event.data || {};
    switch (event.type) {
      case "comment.created":
        return this.insert(data);
      case "comment.edited":
      case "comment.hidden":
      case "comment.restored":
      case "comment.deleted":
        return this.replace(data.id || event.id);
      case "reaction.changed":
        for (const el of this.root.querySelectorAll(`[data-reaction-count^="${Number(event.id)}:"]`)) {
          const kind = el.dataset.reactionCount.split(":")[1];
          el.textContent = String((data.reactions || {})[kind] || 0);
        }
        return;
      case "presence.changed": {
        const box = this.root.querySelector("[data-presence]");
        const count = this.root.querySelector("[data-presence-count]");
        if (box && count && typeof data.count === "number") {
          count.textContent = String(data.count);
          box.hidden = false;
        }
        return;
      }
      case "session.scheduled":
      case "session.closed": {
        const note = this.root.querySelector("[data-session-changed]");
        if (note) note.hidden = false;
        return;
      }
      case "proposal.support_changed":
      case "proposal.state_changed":
        for (const el of document.querySelectorAll("[data-support-count]")) {
          if (data.support_count !== undefined) el.textContent = String(data.support_count);
        }
        for (const el of document.querySelectorAll("[data-support-needed]")) {
          if (data.support_needed !== undefined) el.textContent = String(data.support_needed);
        }
        return;
      default:
        return;
    }
  }

  async insert(data) {
    if (!this.conversation || document.getElementById(`c-${data.id}`)) return;
    const parentList = data.parent
      ? this.root.querySelector(`[data-replies="${Number(data.parent)}"]`)
      : this.isLastPage
        ? this.root.querySelector("[data-comment-list]")
        : null;
    if (!parentList) {
      if (!data.parent) {
        const note = this.root.querySelector("[data-new-elsewhere]");
        if (note) note.hidden = false;
      }
      return;
    }
    const content = await this.fragment(data.id);
    if (!content || document.getElementById(`c-${data.id}`)) return;
    const item = document.createElement("li");
    item.className = "comment-item";
    item.dataset.commentItem = String(data.id);
    item.append(content);
    const replies = document.createElement("ol");
    replies.className = "comment-list replies";
    replies.dataset.replies = String(data.id);
    item.append(replies);
    const empty = parentList.querySelector(":scope > [data-empty]");
    if (empty) empty.remove();
    parentList.append(item);
    item.querySelector(".comment")?.classList.add("is-new");
    const who = data.author && data.author.name ? data.author.name : "";
    this.announce(`${this.root.dataset.msgNew || "New comment"}: ${who}`);
  }

  async replace(commentId) {
    const current = document.getElementById(`c-${Number(commentId)}`);
    if (!current) return;
    const content = await this.fragment(commentId);
    if (!content) return;
    const article = content.querySelector("article");
    if (article) current.replaceWith(article);
  }
}

if ("WebSocket" in window) {
  for (const root of document.querySelectorAll("[data-thread-live]")) {
    if (!root.dataset.liveStarted) {
      root.dataset.liveStarted = "1";
      new LiveThread(root);
    }
  }
}
