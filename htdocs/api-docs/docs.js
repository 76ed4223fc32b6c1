/*
 * htdocs/api-docs/docs.js -- a small viewer of the OpenAPI document of
 * iocagg, served at /api/v1/docs by iocagg-docs(8).  It fetches
 * openapi.json, lists the operations by tag with their role,
 * parameters, body and responses, filters them, and can send a request
 * with the credential typed at the top.  Text from the document is only
 * ever set with textContent.
 */
"use strict";

const DOC_URL = "/api/v1/docs/openapi.json";
const METHODS = ["get", "post", "put", "patch", "delete", "head", "options"];
const STORE = "iocagg-docs-auth";
let doc = null;
let base = "/api/v1";

/* el("tag.class", {attr: value}, child, ...): one DOM element. */
function el(spec, attrs, ...kids) {
	const [tag, ...cls] = spec.split(".");
	const e = document.createElement(tag);
	if (cls.length)
		e.className = cls.join(" ");
	for (const [k, v] of Object.entries(attrs || {}))
		if (v !== undefined && v !== null && v !== false)
			e.setAttribute(k, v === true ? "" : v);
	for (const k of kids.flat())
		if (k !== undefined && k !== null && k !== false)
			e.append(k instanceof Node ? k : String(k));
	return e;
}

/* Follow a local "$ref" ("#/components/..."); null when it dangles. */
function deref(o) {
	let seen = 0;
	while (o && o.$ref && seen++ < 10) {
		let t = doc;
		for (const part of o.$ref.replace(/^#\//, "").split("/"))
			t = t ? t[part.replace(/~1/g, "/").replace(/~0/g, "~")] : null;
		o = t;
	}
	return o || null;
}

function refName(r) {
	return r.split("/").pop();
}

/* A one-line description of a schema's type, with links for refs. */
function typeNode(s) {
	const span = el("span.type");
	if (s === true || s === undefined || s === null ||
	    Object.keys(s).length === 0 ||
	    (!s.type && !s.$ref && !s.oneOf && !s.anyOf && !s.enum)) {
		span.append("any");
		return span;
	}
	if (s.$ref) {
		span.append(el("a", { href: "#schema-" + refName(s.$ref) },
		    refName(s.$ref)));
		return span;
	}
	const alts = s.oneOf || s.anyOf;
	if (alts) {
		alts.forEach((a, i) => {
			if (i)
				span.append(" | ");
			span.append(typeNode(a));
		});
		return span;
	}
	const types = Array.isArray(s.type) ? s.type : [s.type || "string"];
	types.forEach((t, i) => {
		if (i)
			span.append(" | ");
		if (t === "array") {
			span.append("array of ", typeNode(s.items || {}));
		} else if (t === "object" && s.additionalProperties &&
		    typeof s.additionalProperties === "object") {
			span.append("map of ",
			    typeNode(s.additionalProperties));
		} else
			span.append(t);
	});
	const facts = [];
	if (s.enum)
		facts.push("one of " + s.enum.join(", "));
	if (s.format)
		facts.push(s.format);
	if (s.pattern)
		facts.push("/" + s.pattern + "/");
	for (const [k, w] of [["minLength", "min length"],
	    ["maxLength", "max length"], ["minimum", "min"],
	    ["maximum", "max"], ["maxItems", "max items"],
	    ["default", "default"]])
		if (s[k] !== undefined)
			facts.push(w + " " + JSON.stringify(s[k]));
	if (facts.length)
		span.append(" (" + facts.join("; ") + ")");
	return span;
}

/*
 * A schema as nested lists: a type line, then the properties of an
 * object (or of the items of an array), expanding refs "depth" deep.
 */
function schemaNode(s, depth) {
	const box = el("div");
	box.append(typeNode(s));
	if (s && s.description && !s.$ref)
		box.append(" ", el("span.desc", {}, "— " + s.description));
	let t = s && s.$ref ? (depth > 0 ? deref(s) : null) : s;
	if (t && t.type === "array" && t.items)
		t = t.items.$ref ? (depth > 0 ? deref(t.items) : null) :
		    t.items;
	if (!t || !t.properties)
		return box;
	const req = new Set(t.required || []);
	const ul = el("ul.props");
	for (const [name, p] of Object.entries(t.properties)) {
		const li = el("li", {}, el("code", {}, name),
		    req.has(name) ? el("span.req", {}, "required") : null,
		    " ");
		const inner = schemaNode(p, depth - 1);
		li.append(...inner.childNodes);
		ul.append(li);
	}
	box.append(ul);
	return box;
}

function roleBadge(role) {
	if (role === "public")
		return el("span.role.public", { title: "no authentication" },
		    "public");
	if (role === null || role === undefined)
		return el("span.role.any", { title: "any authenticated user" },
		    "any user");
	return el("span.role", { title: "role needed (admin implies it)" },
	    role);
}

function paramsOf(op, item) {
	return [...(item.parameters || []), ...(op.parameters || [])]
	    .map(deref).filter(Boolean);
}

function paramsTable(params) {
	const tb = el("tbody");
	for (const p of params)
		tb.append(el("tr", {},
		    el("td", {}, el("code", {}, p.name),
		    p.required ? el("span.req", {}, "required") : null),
		    el("td", {}, p.in),
		    el("td", {}, schemaNode(p.schema || {}, 0)),
		    el("td.desc", {}, p.description || "")));
	return el("table", {}, el("thead", {}, el("tr", {},
	    el("th", {}, "name"), el("th", {}, "in"), el("th", {}, "type"),
	    el("th", {}, "description"))), tb);
}

/* Media types and their schemas, refs expanded "depth" deep. */
function contentNode(content, depth) {
	const box = el("div");
	for (const [media, m] of Object.entries(content || {})) {
		box.append(el("div.media", {}, media));
		if (m.schema)
			box.append(schemaNode(m.schema, depth));
	}
	return box;
}

function responsesTable(responses) {
	const tb = el("tbody");
	for (const [code, r0] of Object.entries(responses || {})) {
		const r = deref(r0) || {};
		/* The errors all share one schema: name it, no more. */
		const heads = Object.entries(r.headers || {}).map(([n, h]) =>
		    el("div.media", {}, "header ", el("code", {}, n), " — " +
		    ((deref(h) || {}).description || "")));
		tb.append(el("tr", {}, el("td.status", {}, code),
		    el("td", {}, el("div", {}, r.description || ""), heads,
		    contentNode(r.content, code >= "400" ? 0 : 2))));
	}
	return el("table", {}, tb);
}

/* The Authorization header from the controls, or null. */
function authHeader() {
	const cred = document.getElementById("credential").value.trim();
	if (!cred)
		return null;
	const scheme = document.getElementById("scheme").value;
	return scheme + " " + (scheme === "Basic" ? btoa(cred) : cred);
}

/* The "try it" form of one operation. */
function tryForm(method, path, op, params) {
	const form = el("form.try");
	const inputs = [];
	for (const p of params) {
		if (p.in !== "path" && p.in !== "query")
			continue;
		const input = el("input", { name: p.name,
		    placeholder: p.in + (p.required ? ", required" : "") });
		inputs.push([p, input]);
		form.append(el("label.row", {}, el("span", {},
		    el("code", {}, p.name)), input));
	}
	let body = null;
	if (op.requestBody) {
		const sch = deref(
		    Object.values(op.requestBody.content || {})[0]?.schema) ||
		    {};
		body = el("textarea", { spellcheck: "false" });
		body.value = sch.type === "array" ? "[]" : "{}";
		form.append(el("div", {}, el("code", {}, "body"),
		    " (application/json)"), body);
	}
	const out = el("pre.hidden");
	const send = el("button", { type: "submit" }, "Send");
	form.append(el("div.row", {}, send,
	    el("span.note", {}, "sends a real request with the "
	    + "credential above")), out);
	form.addEventListener("submit", async (ev) => {
		ev.preventDefault();
		let url = base + path;
		const q = new URLSearchParams();
		for (const [p, input] of inputs) {
			const v = input.value;
			if (p.in === "path")
				url = url.replace("{" + p.name + "}",
				    encodeURIComponent(v));
			else if (v !== "")
				for (const one of p.schema?.type === "array" ?
				    v.split(",") : [v])
					q.append(p.name, one.trim());
		}
		if ([...q].length)
			url += "?" + q.toString();
		const headers = {};
		const auth = authHeader();
		if (auth)
			headers.Authorization = auth;
		const init = { method: method.toUpperCase(), headers,
		    redirect: "manual" };
		if (body) {
			headers["Content-Type"] = "application/json";
			init.body = body.value;
		}
		out.classList.remove("hidden");
		out.textContent = init.method + " " + url + "\n\n";
		send.disabled = true;
		try {
			const res = await fetch(url, init);
			let head = res.type === "opaqueredirect" ?
			    "a redirect (not followed)\n" :
			    res.status + " " + res.statusText + "\n";
			for (const h of ["content-type", "location",
			    "x-request-id", "x-next-cursor", "retry-after"])
				if (res.headers.get(h))
					head += h + ": " + res.headers.get(h) +
					    "\n";
			out.textContent += head + "\n";
			const ct = res.headers.get("content-type") || "";
			if (ct.startsWith("text/event-stream") && res.body) {
				const rd = res.body.getReader();
				const dec = new TextDecoder();
				for (;;) {
					const { done, value } = await rd.read();
					if (done)
						break;
					out.textContent += dec.decode(value,
					    { stream: true });
				}
			} else {
				const text = await res.text();
				try {
					out.textContent += ct.includes("json") ?
					    JSON.stringify(JSON.parse(text),
					    null, 2) : text;
				} catch (e) {
					out.textContent += text;
				}
			}
		} catch (e) {
			out.textContent += "request failed: " + e;
		} finally {
			send.disabled = false;
		}
	});
	return form;
}

function opNode(method, path, item, op) {
	const params = paramsOf(op, item);
	const role = op["x-iocagg-role"];
	const id = "op-" + method + "-" + path.replace(/[^A-Za-z0-9]+/g, "-")
	    .replace(/^-|-$/g, "");
	const d = el("details.op", { id });
	d.dataset.text = [method, path, op.summary, op.description,
	    (op.tags || []).join(" "), role === null ? "any user" : role,
	    op.operationId].join(" ").toLowerCase();
	d.append(el("summary", {},
	    el("span.method.m-" + method, {}, method),
	    el("span.path", {}, path),
	    el("span.summary", {}, op.summary || ""), roleBadge(role)));
	/* The body is built the first time the operation is opened. */
	d.addEventListener("toggle", () => {
		if (!d.open || d.dataset.built)
			return;
		d.dataset.built = "1";
		const b = el("div.body");
		if (op.description)
			b.append(el("p", {}, op.description));
		b.append(el("p.note", {}, role === "public" ?
		    "Public: no credentials needed." : role === null ?
		    "Any authenticated user." : "Needs the role " + role +
		    " (or admin)."));
		if (params.length)
			b.append(el("h4", {}, "Parameters"),
			    paramsTable(params));
		if (op.requestBody)
			b.append(el("h4", {}, "Request body"),
			    contentNode(op.requestBody.content, 2));
		b.append(el("h4", {}, "Responses"),
		    responsesTable(op.responses));
		b.append(tryForm(method, path, op, params));
		d.append(b);
	});
	return d;
}

/* The info description: paragraphs, "* " lists and `code`. */
function prose(text) {
	const box = el("div");
	for (const para of (text || "").split(/\n\s*\n/)) {
		const lines = para.split("\n");
		const inline = (s) => s.split("`").map((part, i) =>
		    i % 2 ? el("code", {}, part) : part);
		if (lines.every((l) => l.startsWith("* ")))
			box.append(el("ul", {}, lines.map((l) =>
			    el("li", {}, inline(l.slice(2))))));
		else
			box.append(el("p", {}, inline(para)));
	}
	return box;
}

function render() {
	document.getElementById("title").textContent = doc.info.title;
	document.title = doc.info.title;
	document.getElementById("version").textContent = "version " +
	    doc.info.version + " · OpenAPI " + doc.openapi + " · ";
	document.getElementById("version").append(el("a",
	    { href: DOC_URL }, "openapi.json"));
	if (doc.servers && doc.servers[0])
		base = doc.servers[0].url.replace(/\/$/, "");
	document.getElementById("intro").append(prose(doc.info.description));

	const tags = new Map();
	for (const t of doc.tags || [])
		tags.set(t.name, { tag: t, ops: [] });
	for (const [path, item] of Object.entries(doc.paths || {}))
		for (const m of METHODS)
			if (item[m]) {
				const name = (item[m].tags || ["other"])[0];
				if (!tags.has(name))
					tags.set(name, { tag: { name }, ops: [] });
				tags.get(name).ops.push(opNode(m, path, item,
				    item[m]));
			}
	const ops = document.getElementById("ops");
	const toc = document.getElementById("toc");
	ops.textContent = "";
	for (const { tag, ops: list } of tags.values()) {
		if (!list.length)
			continue;
		const sec = el("section.tag", { id: "tag-" + tag.name },
		    el("h2", {}, tag.name, " ",
		    el("span.note", {}, "(" + list.length + ")")),
		    tag.description ? el("p", {}, tag.description) : null,
		    list);
		ops.append(sec);
		toc.append(el("a", { href: "#tag-" + tag.name }, tag.name));
	}

	const schemas = document.getElementById("schemas");
	const comp = (doc.components || {}).schemas || {};
	schemas.append(el("h2", {}, "Schemas"));
	for (const [name, s] of Object.entries(comp))
		schemas.append(el("details", { id: "schema-" + name },
		    el("summary", {}, el("code", {}, name),
		    s.description ? el("span.desc", {}, " — " +
		    s.description) : null), schemaNode(s, 1)));
	/* A link to a schema opens it. */
	document.addEventListener("click", (ev) => {
		const a = ev.target.closest("a[href^='#schema-']");
		if (a) {
			const t = document.getElementById(
			    a.getAttribute("href").slice(1));
			if (t)
				t.open = true;
		}
	});
	if (location.hash) {
		const t = document.getElementById(location.hash.slice(1));
		if (t && t.tagName === "DETAILS") {
			t.open = true;
			t.scrollIntoView();
		}
	}
}

function filter() {
	const words = document.getElementById("filter").value.toLowerCase()
	    .split(/\s+/).filter(Boolean);
	for (const sec of document.querySelectorAll("section.tag")) {
		let shown = 0;
		for (const d of sec.querySelectorAll("details.op")) {
			const hit = words.every((w) =>
			    d.dataset.text.includes(w));
			d.classList.toggle("hidden", !hit);
			shown += hit;
		}
		sec.classList.toggle("hidden", shown === 0);
	}
}

function setupAuth() {
	const cred = document.getElementById("credential");
	const scheme = document.getElementById("scheme");
	const remember = document.getElementById("remember");
	try {
		const saved = JSON.parse(sessionStorage.getItem(STORE));
		if (saved) {
			scheme.value = saved.scheme;
			cred.value = saved.cred;
			remember.checked = true;
		}
	} catch (e) {
		/* nothing saved, or storage is off */
	}
	const save = () => {
		try {
			if (remember.checked)
				sessionStorage.setItem(STORE, JSON.stringify(
				    { scheme: scheme.value, cred: cred.value }));
			else
				sessionStorage.removeItem(STORE);
		} catch (e) {
			/* storage is off */
		}
	};
	for (const e of [cred, scheme, remember])
		e.addEventListener("change", save);
}

async function main() {
	setupAuth();
	document.getElementById("filter").addEventListener("input", filter);
	const ops = document.getElementById("ops");
	try {
		const res = await fetch(DOC_URL, { headers:
		    { Accept: "application/json" } });
		if (!res.ok)
			throw new Error("HTTP " + res.status);
		doc = await res.json();
	} catch (e) {
		ops.textContent = "";
		ops.append(el("p.error", {}, "Cannot load " + DOC_URL + ": " +
		    e.message));
		return;
	}
	render();
	filter();
}

main();
