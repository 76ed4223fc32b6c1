// dom.js -- building elements.  Text goes in through textContent only:
// nothing user-supplied is ever parsed as HTML.

const PROPS = new Set(['value', 'checked', 'disabled', 'selected',
	'indeterminate', 'multiple', 'readOnly', 'required']);

function append(el, c) {
	if (c === null || c === undefined || c === false || c === true)
		return;
	if (Array.isArray(c)) {
		for (const x of c)
			append(el, x);
	} else if (c instanceof Node) {
		el.appendChild(c);
	} else {
		el.appendChild(document.createTextNode(String(c)));
	}
}

export function h(tag, attrs, ...children) {
	const svg = tag.startsWith('svg:');
	const el = svg ?
	    document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4)) :
	    document.createElement(tag);
	if (attrs && (typeof attrs !== 'object' || attrs instanceof Node ||
	    Array.isArray(attrs))) {
		children.unshift(attrs);
		attrs = null;
	}
	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === undefined || v === null || v === false) {
			if (PROPS.has(k))
				el[k] = false;
			continue;
		}
		if (k === 'class') {
			el.setAttribute('class', Array.isArray(v) ?
			    v.filter(Boolean).join(' ') : v);
		} else if (k === 'style' && typeof v === 'object') {
			Object.assign(el.style, v);
		} else if (k === 'dataset') {
			for (const [dk, dv] of Object.entries(v))
				if (dv !== undefined && dv !== null)
					el.dataset[dk] = dv;
		} else if (k.startsWith('on') && typeof v === 'function') {
			el.addEventListener(k.slice(2).toLowerCase(), v);
		} else if (PROPS.has(k) && !svg) {
			el[k] = v;
		} else if (k === 'text') {
			el.textContent = v;
		} else if (k === 'innerHTML' || k === 'outerHTML') {
			throw new Error('h(): HTML is never set');
		} else {
			el.setAttribute(k, v === true ? '' : String(v));
		}
	}
	append(el, children);
	return el;
}

export function clear(el) {
	while (el.firstChild)
		el.removeChild(el.firstChild);
	return el;
}

const loaded = new Map();

// A classic (non-module) script, once: CodeMirror 5 is UMD.
export function loadScript(src) {
	src = String(src);
	if (!loaded.has(src)) {
		loaded.set(src, new Promise((resolve, reject) => {
			const s = document.createElement('script');
			s.src = src;
			s.onload = () => resolve();
			s.onerror = () => {
				loaded.delete(src);
				reject(new Error('cannot load ' + src));
			};
			document.head.appendChild(s);
		}));
	}
	return loaded.get(src);
}

export function loadCss(href) {
	href = String(href);
	if (!loaded.has(href)) {
		loaded.set(href, new Promise((resolve, reject) => {
			const l = document.createElement('link');
			l.rel = 'stylesheet';
			l.href = href;
			l.onload = () => resolve();
			l.onerror = () => reject(new Error('cannot load ' + href));
			document.head.appendChild(l);
		}));
	}
	return loaded.get(href);
}

let dateLang = 'en';
export function setDateLang(l) {
	dateLang = l;
}

// API timestamps are UTC without a zone ("2026-01-01T10:00:00.123").
export function parseDate(s) {
	if (!s)
		return null;
	const iso = /[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : s + 'Z';
	const d = new Date(iso);
	return isNaN(d) ? null : d;
}

export function fmtDate(s) {
	const d = s instanceof Date ? s : parseDate(s);
	if (!d)
		return '';
	return d.toLocaleString(dateLang === 'fr' ? 'fr-CA' : 'en-CA', {
		year: 'numeric', month: '2-digit', day: '2-digit',
		hour: '2-digit', minute: '2-digit', second: '2-digit'
	});
}

export function fmtMs(ms) {
	if (ms < 1000)
		return Math.round(ms) + ' ms';
	return (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + ' s';
}
