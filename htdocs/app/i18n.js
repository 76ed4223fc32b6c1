// i18n.js -- t(key, vars) over flat dictionaries i18n/<lang>/<part>.json.
import { setDateLang } from './dom.js';

export const LANGS = ['en', 'fr'];
export const PARTS = ['core', 'admin'];
const KEY = 'iocagg.lang';

let dict = {};
let lang = 'en';
const listeners = new Set();

export function currentLang() {
	return lang;
}

function preferred() {
	const s = localStorage.getItem(KEY);
	if (LANGS.includes(s))
		return s;
	const n = (navigator.language || 'en').slice(0, 2).toLowerCase();
	return LANGS.includes(n) ? n : 'en';
}

async function fetchPart(l, part) {
	const url = new URL(`./i18n/${l}/${part}.json`, import.meta.url);
	const r = await fetch(url, { credentials: 'same-origin' });
	if (!r.ok)
		return {};
	return r.json();
}

export async function loadLang(l = preferred()) {
	if (!LANGS.includes(l))
		l = 'en';
	const parts = await Promise.all(PARTS.map(p => fetchPart(l, p)));
	dict = Object.assign({}, ...parts);
	lang = l;
	document.documentElement.lang = l;
	setDateLang(l);
}

export async function setLang(l) {
	localStorage.setItem(KEY, l);
	await loadLang(l);
	for (const f of listeners)
		f(l);
}

export function onLangChange(f) {
	listeners.add(f);
	return () => listeners.delete(f);
}

export function has(key) {
	return Object.prototype.hasOwnProperty.call(dict, key);
}

export function t(key, vars) {
	let s = has(key) ? dict[key] : key;
	if (vars) {
		s = s.replace(/\{(\w+)\}/g, (m, k) =>
		    vars[k] === undefined || vars[k] === null ? m : String(vars[k]));
	}
	return s;
}
