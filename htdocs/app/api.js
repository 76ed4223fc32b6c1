// api.js -- the REST API under /api/v1 with the session's JWT.
const BASE = '/api/v1';
const TOKEN = 'iocagg.jwt';
const TIMEOUT = 30000;

export class ApiError extends Error {
	constructor(status, code, message, fields) {
		super(message);
		this.name = 'ApiError';
		this.status = status;
		this.code = code;
		this.fields = fields || {};
	}
}

// --- the session -------------------------------------------------------

export function getToken() {
	return localStorage.getItem(TOKEN);
}

export function setToken(tok) {
	if (tok)
		localStorage.setItem(TOKEN, tok);
	else
		localStorage.removeItem(TOKEN);
}

// The claims of the session's JWT (not verified: the server does that).
export function tokenClaims(tok = getToken()) {
	if (!tok)
		return null;
	try {
		const p = tok.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
		const s = atob(p + '='.repeat((4 - p.length % 4) % 4));
		const bytes = Uint8Array.from(s, c => c.charCodeAt(0));
		return JSON.parse(new TextDecoder().decode(bytes));
	} catch (e) {
		return null;
	}
}

export function tokenExpired(tok = getToken()) {
	const c = tokenClaims(tok);
	return !c || (typeof c.exp === 'number' && c.exp * 1000 <= Date.now());
}

let onUnauthorized = () => {};
export function setUnauthorizedHandler(f) {
	onUnauthorized = f;
}

// --- requests ----------------------------------------------------------

function url(path, query) {
	let u = BASE + path;
	if (query) {
		const q = new URLSearchParams();
		for (const [k, v] of Object.entries(query)) {
			if (v === undefined || v === null || v === '')
				continue;
			if (Array.isArray(v))
				v.forEach(x => q.append(k, x));
			else
				q.append(k, v);
		}
		const s = q.toString();
		if (s)
			u += (u.includes('?') ? '&' : '?') + s;
	}
	return u;
}

// 422 messages name the field in quotes: "'name' must hold ...".
function fieldsOf(code, message) {
	const f = {};
	if (code === 'invalid_field' && message) {
		const m = /'([A-Za-z0-9_.[\]-]+)'/.exec(message);
		if (m)
			f[m[1].replace(/\[.*$/, '').split('.')[0]] = message;
	}
	return f;
}

async function errorOf(res) {
	let code = 'http_' + res.status, message = res.statusText || String(res.status);
	const ct = res.headers.get('content-type') || '';
	try {
		if (ct.startsWith('application/json')) {
			const j = await res.json();
			if (j && j.error) {
				code = j.error.code || code;
				message = j.error.message || message;
			}
		} else {
			const s = (await res.text()).trim();
			if (s && s.length < 300)
				message = s;
		}
	} catch (e) { /* keep the status line */ }
	return new ApiError(res.status, code, message, fieldsOf(code, message));
}

function headers(body) {
	const hd = { Accept: 'application/json' };
	const tok = getToken();
	if (tok)
		hd.Authorization = 'Bearer ' + tok;
	if (body !== undefined)
		hd['Content-Type'] = 'application/json';
	return hd;
}

function unauthorized(path) {
	if (path.startsWith('/auth'))
		return false;
	setToken(null);
	onUnauthorized();
	return true;
}

async function send(method, path, opts = {}) {
	const ctl = new AbortController();
	const timer = setTimeout(() => ctl.abort(), opts.timeout || TIMEOUT);
	if (opts.signal) {
		if (opts.signal.aborted)
			ctl.abort();
		opts.signal.addEventListener('abort', () => ctl.abort());
	}
	let res;
	try {
		res = await fetch(url(path, opts.query), {
			method, headers: headers(opts.body),
			body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
			signal: ctl.signal, credentials: 'same-origin'
		});
	} catch (e) {
		clearTimeout(timer);
		if (opts.signal && opts.signal.aborted)
			throw new ApiError(0, 'aborted', 'aborted');
		throw new ApiError(0, 'network', e.name === 'AbortError' ?
		    'timeout' : (e.message || 'network error'));
	}
	clearTimeout(timer);
	if (res.status === 401 && unauthorized(path))
		return new Promise(() => {});	/* we are leaving the page */
	if (!res.ok)
		throw await errorOf(res);
	return res;
}

async function decode(res) {
	if (res.status === 204)
		return null;
	const ct = res.headers.get('content-type') || '';
	if (ct.startsWith('application/json'))
		return res.json();
	return res.text();
}

export const api = {
	async request(method, path, opts = {}) {
		const res = await send(method, path, opts);
		const data = await decode(res);
		return opts.raw ? { status: res.status, headers: res.headers, data } : data;
	},
	get(path, query, opts = {}) {
		return this.request('GET', path, { ...opts, query });
	},
	post(path, body, opts = {}) {
		return this.request('POST', path, { ...opts, body: body === undefined ? {} : body });
	},
	patch(path, body, opts = {}) {
		return this.request('PATCH', path, { ...opts, body });
	},
	put(path, body, opts = {}) {
		return this.request('PUT', path, { ...opts, body });
	},
	del(path, body, opts = {}) {
		return this.request('DELETE', path, { ...opts, body });
	},

	// A text/event-stream read through fetch (EventSource cannot send
	// the Authorization header).  onEvent({event, id, data}) per event;
	// data is parsed as JSON when it is JSON.  Resolves at the end of
	// the stream or when signal aborts.
	async sse(path, { query, method = 'GET', body, signal, onEvent } = {}) {
		const hd = headers(body);
		hd.Accept = 'text/event-stream';
		let res;
		try {
			res = await fetch(url(path, query), {
				method, headers: hd, signal, credentials: 'same-origin',
				body: body === undefined ? undefined : JSON.stringify(body)
			});
		} catch (e) {
			if (signal && signal.aborted)
				return;
			throw new ApiError(0, 'network', e.message || 'network error');
		}
		if (res.status === 401 && unauthorized(path))
			return new Promise(() => {});
		if (!res.ok)
			throw await errorOf(res);
		const reader = res.body.getReader();
		const dec = new TextDecoder();
		let buf = '', ev = { event: 'message', id: null, data: [] };
		const dispatch = () => {
			if (ev.data.length) {
				let d = ev.data.join('\n');
				try { d = JSON.parse(d); } catch (e) { /* plain text */ }
				onEvent && onEvent({ event: ev.event, id: ev.id, data: d });
			}
			ev = { event: 'message', id: null, data: [] };
		};
		try {
			for (;;) {
				const { value, done } = await reader.read();
				if (done)
					break;
				buf += dec.decode(value, { stream: true });
				let i;
				while ((i = buf.search(/\r?\n/)) >= 0) {
					const line = buf.slice(0, i);
					buf = buf.slice(i + (buf[i] === '\r' ? 2 : 1));
					if (line === '') {
						dispatch();
						continue;
					}
					if (line.startsWith(':'))
						continue;
					const c = line.indexOf(':');
					const f = c < 0 ? line : line.slice(0, c);
					let v = c < 0 ? '' : line.slice(c + 1);
					if (v.startsWith(' '))
						v = v.slice(1);
					if (f === 'event')
						ev.event = v;
					else if (f === 'id')
						ev.id = v;
					else if (f === 'data')
						ev.data.push(v);
				}
			}
			dispatch();
		} catch (e) {
			if (signal && signal.aborted)
				return;
			throw new ApiError(0, 'network', e.message || 'stream broken');
		}
	}
};
