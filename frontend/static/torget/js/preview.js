// Markdown preview while writing (a proposal's rationale, a comment): the "Preview"
// button fetches the text rendered by the server — the same Markdown and sanitiser as
// the published text (POST /markdown/preview/, CSRF) — and shows it under the field.
// Progressive enhancement: without JavaScript the same button submits the form, which
// comes back with the preview and nothing saved. See frontend/views/preview.py.
const ENDPOINT = "/markdown/preview/";

async function preview(button) {
  const id = button.dataset.preview;
  const field = document.getElementById(id);
  const output = document.getElementById(`${id}-preview`);
  const target = output && output.querySelector("[data-preview-body]");
  const form = button.form;
  if (!field || !target || !form) return false;
  const body = new FormData();
  body.set("text", field.value);
  const token = form.querySelector("[name=csrfmiddlewaretoken]");
  button.disabled = true;
  output.setAttribute("aria-busy", "true");
  try {
    const resp = await fetch(ENDPOINT, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "", "X-Requested-With": "fetch" },
    });
    const type = resp.headers.get("Content-Type") || "";
    if (resp.ok) {
      target.innerHTML = await resp.text(); // sanitised on the server (nh3)
    } else if (type.startsWith("text/plain")) {
      target.textContent = await resp.text(); // too long, too many: the reason
    } else {
      return false;
    }
    output.hidden = false;
    return true;
  } catch {
    return false;
  } finally {
    button.disabled = false;
    output.removeAttribute("aria-busy");
  }
}

document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("button[data-preview]") : null;
  if (!button) return;
  event.preventDefault();
  preview(button).then((shown) => {
    if (!shown) button.form.requestSubmit(button); // as without JavaScript
  });
});
