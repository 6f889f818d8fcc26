// A tiny OpenAPI viewer: fetches /openapi/v1.json and renders operations, parameters, bodies and responses.
// No CDN and no framework; text only (textContent), so nothing in the document can inject markup.
"use strict";

const $ = (id) => document.getElementById(id);

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props || {});
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

// Renders a small subset of Markdown used in the descriptions: `code`.
function text(value) {
  const span = el("span");
  String(value || "").split(/(`[^`]*`)/).forEach((part) => {
    span.append(part.startsWith("`") && part.endsWith("`") && part.length > 1 ? el("code", { textContent: part.slice(1, -1) }) : part);
  });
  return span;
}

function resolve(doc, schema) {
  if (schema && schema.$ref) {
    const name = schema.$ref.split("/").pop();
    return { name, schema: (doc.components && doc.components.schemas && doc.components.schemas[name]) || {} };
  }
  return { name: null, schema: schema || {} };
}

function describeSchema(doc, schema, depth = 0) {
  const { name, schema: s } = resolve(doc, schema);
  if (depth > 3) return name || "…";
  if (s.type === "array" || (Array.isArray(s.type) && s.type.includes("array"))) return `${describeSchema(doc, s.items, depth + 1)}[]`;
  if (s.properties) {
    const fields = Object.entries(s.properties).map(([key, value]) => `${key}: ${describeSchema(doc, value, depth + 1)}`);
    return `${name ? name + " " : ""}{ ${fields.join(", ")} }`;
  }
  const type = Array.isArray(s.type) ? s.type.filter((t) => t !== "null").join("|") : s.type;
  return name || (s.format ? `${type} (${s.format})` : type) || "any";
}

function render(doc) {
  $("title").textContent = doc.info.title;
  $("description").replaceChildren(text(doc.info.description));
  $("origin").textContent = window.location.origin;

  const schemes = (doc.components && doc.components.securitySchemes) || {};
  $("security").replaceChildren(el("h2", { textContent: "Authentication" }),
    ...Object.entries(schemes).map(([name, scheme]) => el("div", { className: "scheme" },
      el("p", {}, el("strong", { textContent: name }), ` — ${scheme.type} in header `, el("code", { textContent: scheme.name })),
      el("p", {}, text(scheme.description)))));

  const ops = [];
  for (const [path, item] of Object.entries(doc.paths || {})) {
    for (const [method, op] of Object.entries(item)) {
      if (!["get", "post", "put", "patch", "delete"].includes(method)) continue;
      ops.push(renderOperation(doc, path, method, op));
    }
  }
  $("operations").replaceChildren(...ops);
}

function renderOperation(doc, path, method, op) {
  const card = el("article", { className: "card op" });
  card.dataset.operation = `${method.toUpperCase()} ${path}`;
  card.append(el("h2", {}, el("span", { className: `method ${method}`, textContent: method.toUpperCase() }), " ", el("code", { textContent: path }),
    op.summary ? el("span", { className: "muted small", textContent: ` — ${op.summary}` }) : null));
  if (op.description) card.append(el("p", {}, text(op.description)));

  const params = op.parameters || [];
  if (params.length) {
    card.append(el("h3", { textContent: "Parameters" }), el("table", {}, el("tbody", {}, ...params.map((p) => el("tr", {},
      el("td", {}, el("code", { textContent: p.name })),
      el("td", { className: "muted", textContent: `${p.in}${p.required ? ", required" : ""}` }),
      el("td", {}, text(p.description)))))));
  }

  if (op.requestBody && op.requestBody.content) {
    const [type, media] = Object.entries(op.requestBody.content)[0];
    card.append(el("h3", { textContent: "Request body" }), el("p", {}, el("code", { textContent: type }), " ", el("code", { textContent: describeSchema(doc, media.schema) })));
  }

  const responses = Object.entries(op.responses || {});
  if (responses.length) {
    card.append(el("h3", { textContent: "Responses" }), el("table", {}, el("tbody", {}, ...responses.map(([status, r]) => {
      const content = r.content ? Object.entries(r.content)[0] : null;
      return el("tr", {},
        el("td", {}, el("code", { textContent: status })),
        el("td", {}, text(r.description)),
        el("td", {}, content ? el("code", { textContent: `${content[0]} ${describeSchema(doc, content[1].schema)}` }) : ""));
    }))));
  }

  const security = (op.security || []).flatMap((s) => Object.keys(s));
  if (security.length) card.append(el("p", { className: "muted small" }, "Requires a signature: ", el("strong", { textContent: security.join(", ") })));
  return card;
}

fetch("/openapi/v1.json", { cache: "no-store" })
  .then((response) => { if (!response.ok) throw new Error(`${response.status} loading the OpenAPI document`); return response.json(); })
  .then(render)
  .catch((error) => { $("error").textContent = error.message; $("error").hidden = false; });
