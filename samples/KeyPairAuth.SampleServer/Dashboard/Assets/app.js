// The key dashboard: plain DOM code over the JSON endpoints (/session, /account/keys, /dashboard/activity).
// Every unsafe request carries the antiforgery token; user data is only ever inserted as text, never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
let session = null;
let lastKeysJson = "";
let lastActivityJson = "";

async function api(method, url, body) {
  const headers = { "Accept": "application/json" };
  if (session && method !== "GET") headers["RequestVerificationToken"] = session.antiforgeryToken;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(url, {
    method, headers, credentials: "same-origin", cache: "no-store",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const type = response.headers.get("Content-Type") || "";
  const data = type.includes("json") ? await response.json() : null;
  if (!response.ok) {
    const message = (data && (data.detail || data.title)) || `${response.status} ${response.statusText}`;
    const error = new Error(message);
    error.status = response.status;
    error.code = data && data.error;
    throw error;
  }
  return data;
}

function show(element, visible) { element.hidden = !visible; }

function showError(element, error) {
  element.textContent = error ? String(error.message || error) : "";
  show(element, Boolean(error));
}

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props || {});
  for (const child of children) node.append(child);
  return node;
}

function formatTime(value) {
  if (!value) return "—";
  const date = new Date(value);
  return date.toLocaleString(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hour12: false });
}

function relativeTime(value) {
  if (!value) return "never";
  const seconds = Math.round((Date.now() - new Date(value).getTime()) / 1000);
  if (seconds < 60) return "just now";
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  return formatTime(value);
}

async function loadSession() {
  session = await api("GET", "/session");
  const signedIn = Boolean(session.user);
  show($("signin"), !signedIn);
  show($("dashboard"), signedIn);
  show($("who"), signedIn);
  if (signedIn) {
    $("who-name").textContent = session.user;
    $("storage").textContent = session.storage;
    renderScopeChoices($("create-scopes"), "create");
    renderScopeChoices($("register-scopes"), "register");
    lastKeysJson = lastActivityJson = "";
    await refresh();
  } else {
    $("signin-user").focus();
  }
}

function renderScopeChoices(container, prefix) {
  container.replaceChildren(...session.scopes.map((scope, i) => {
    const id = `${prefix}-scope-${i}`;
    const box = el("input", { type: "checkbox", id, value: scope, checked: scope.endsWith(":read") });
    return el("label", { htmlFor: id }, box, el("code", { textContent: scope }));
  }));
}

function checkedScopes(container) {
  return [...container.querySelectorAll("input[type=checkbox]:checked")].map((box) => box.value);
}

async function refresh() {
  try {
    const [keys, activity] = await Promise.all([api("GET", "/account/keys"), api("GET", "/dashboard/activity")]);
    const keysJson = JSON.stringify(keys);
    if (keysJson !== lastKeysJson) { lastKeysJson = keysJson; renderKeys(keys.keys); }
    const activityJson = JSON.stringify(activity);
    if (activityJson !== lastActivityJson) { lastActivityJson = activityJson; renderActivity(activity.keys); }
    showError($("page-error"), null);
  } catch (error) {
    if (error.status === 401) { await loadSession(); return; }
    showError($("page-error"), error);
  }
}

function renderKeys(keys) {
  show($("keys-empty"), keys.length === 0);
  show($("keys"), keys.length > 0);
  const rows = keys.slice().reverse().map((key) => {
    const revoke = el("button", { type: "button", className: "danger", textContent: "Revoke" });
    revoke.dataset.action = "revoke";
    revoke.disabled = key.status === "revoked";
    revoke.addEventListener("click", () => revokeKey(key));
    const row = el("tr", { className: key.status },
      el("td", { className: "name", textContent: key.name }),
      el("td", { className: "key-id" }, el("code", { textContent: key.keyId })),
      el("td", { className: "fingerprint" }, el("code", { textContent: key.fingerprint })),
      el("td", { className: "key-scopes" }, ...(key.scopes.length ? key.scopes.map((s) => el("span", { className: "tag", textContent: s })) : ["—"])),
      el("td", { className: "created", textContent: formatTime(key.createdAt) }),
      el("td", { className: "expires", textContent: key.expiresAt ? formatTime(key.expiresAt) : "never" }),
      el("td", { className: "last-used", textContent: relativeTime(key.lastUsedAt) }),
      el("td", {}, el("span", { className: `status ${key.status}`, textContent: key.status })),
      el("td", {}, key.status === "revoked" ? "" : revoke));
    row.dataset.keyId = key.keyId;
    return row;
  });
  $("keys").tBodies[0].replaceChildren(...rows);
}

function renderActivity(keys) {
  const active = keys.filter((key) => Object.keys(key.lastHour).length > 0);
  show($("activity-empty"), active.length === 0);
  show($("activity"), active.length > 0);
  $("activity").tBodies[0].replaceChildren(...active.map((key) => {
    const accepted = key.lastHour.accepted || 0;
    const refused = Object.entries(key.lastHour).filter(([reason]) => reason !== "accepted").sort();
    const row = el("tr", {},
      el("td", {}, el("span", { textContent: key.name + " " }), el("code", { textContent: key.keyId })),
      el("td", { className: "accepted", textContent: String(accepted) }),
      el("td", { className: "refused" }, ...(refused.length
        ? refused.map(([reason, count]) => el("span", { className: "reason" }, el("code", { textContent: reason }), ": ", el("b", { textContent: String(count) })))
        : ["—"])));
    row.dataset.keyId = key.keyId;
    return row;
  }));
}

async function revokeKey(key) {
  if (!window.confirm(`Revoke "${key.name}" (${key.keyId})?\n\nRequests signed with this key will be refused from now on. This cannot be undone.`)) return;
  try {
    await api("DELETE", `/account/keys/${encodeURIComponent(key.keyId)}`);
    await refresh();
  } catch (error) {
    showError($("page-error"), error);
  }
}

// The private key lives only in these two variables and the input box until the user hides it.
let shownSecret = null;
let shownPem = null;

function showSecret(created) {
  shownSecret = created.secret;
  shownPem = created.privateKeyPem;
  $("secret-key-id").textContent = created.key.keyId;
  $("secret-value").value = created.secret;
  $("copy-status").textContent = "";
  show($("secret-panel"), true);
  $("secret-panel").scrollIntoView({ behavior: "smooth", block: "start" });
  $("secret-value").select();
}

function hideSecret() {
  shownSecret = shownPem = null;
  $("secret-value").value = "";
  $("secret-key-id").textContent = "";
  show($("secret-panel"), false);
}

async function copySecret() {
  try {
    await navigator.clipboard.writeText(shownSecret);
  } catch {
    $("secret-value").select();
    document.execCommand("copy");
  }
  $("copy-status").textContent = "Copied.";
}

function downloadPem() {
  const blob = new Blob([shownPem], { type: "application/x-pem-file" });
  const link = el("a", { href: URL.createObjectURL(blob), download: `${$("secret-key-id").textContent}.pem` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

function wire() {
  $("signin-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("POST", "/session", { userName: $("signin-user").value.trim() });
      showError($("signin-error"), null);
      await loadSession();
    } catch (error) {
      showError($("signin-error"), error);
    }
  });

  $("sign-out").addEventListener("click", async () => {
    hideSecret();
    await api("DELETE", "/session");
    await loadSession();
  });

  $("create-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const days = $("create-expiry").value;
    const body = {
      name: $("create-name").value.trim(),
      scopes: checkedScopes($("create-scopes")),
      expiresAt: days ? new Date(Date.now() + Number(days) * 86400000).toISOString() : null,
    };
    try {
      const created = await api("POST", "/account/keys", body);
      showError($("create-error"), null);
      $("create-form").reset();
      renderScopeChoices($("create-scopes"), "create");
      showSecret(created);
      await refresh();
    } catch (error) {
      showError($("create-error"), error);
    }
  });

  $("register-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {
      name: $("register-name").value.trim(),
      publicKey: $("register-key").value,
      scopes: checkedScopes($("register-scopes")),
    };
    try {
      await api("POST", "/account/keys/register", body);
      showError($("register-error"), null);
      $("register-form").reset();
      renderScopeChoices($("register-scopes"), "register");
      await refresh();
    } catch (error) {
      showError($("register-error"), error);
    }
  });

  $("copy-secret").addEventListener("click", copySecret);
  $("download-pem").addEventListener("click", downloadPem);
  $("secret-done").addEventListener("click", hideSecret);
  // Leaving the page (another page, a reload, the back/forward cache) takes the secret with it: shown once means once.
  window.addEventListener("pagehide", hideSecret);
  $("refresh").addEventListener("click", refresh);
  setInterval(() => { if (session && session.user && !document.hidden) refresh(); }, 10000);
}

wire();
loadSession().catch((error) => showError($("page-error"), error));
