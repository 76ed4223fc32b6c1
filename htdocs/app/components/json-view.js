// json-view.js -- a JSON tree with collapsible nodes and a copy button.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { toast } from './toast.js';

function scalar(v) {
	if (v === null)
		return h('span', { class: 'j-null' }, 'null');
	switch (typeof v) {
	case 'string': return h('span', { class: 'j-str' }, JSON.stringify(v));
	case 'number': return h('span', { class: 'j-num' }, String(v));
	case 'boolean': return h('span', { class: 'j-bool' }, String(v));
	default: return h('span', null, String(v));
	}
}

function node(key, v, depth, collapsed) {
	const label = key === null ? null :
	    h('span', { class: 'j-key' }, JSON.stringify(String(key)) + ': ');
	if (v === null || typeof v !== 'object')
		return h('div', { class: 'j-row' }, label, scalar(v));
	const arr = Array.isArray(v);
	const entries = arr ? v.map((x, i) => [i, x]) : Object.entries(v);
	const open = arr ? '[' : '{', close = arr ? ']' : '}';
	if (!entries.length)
		return h('div', { class: 'j-row' }, label, open + close);
	const kids = h('div', { class: 'j-kids' });
	let built = false;
	const build = () => {
		if (built)
			return;
		built = true;
		for (const [k, x] of entries)
			kids.appendChild(node(arr ? null : k, x, depth + 1, collapsed));
	};
	const summary = h('span', { class: 'j-sum muted' },
	    arr ? t(entries.length === 1 ? 'core.json.item' : 'core.json.items', { n: entries.length }) :
	    t(entries.length === 1 ? 'core.json.key' : 'core.json.keys', { n: entries.length }));
	const btn = h('button', { type: 'button', class: 'j-toggle',
	    'aria-expanded': 'true' }, '▾');
	const wrap = h('div', { class: 'j-node' },
	    h('div', { class: 'j-row' }, btn, label, open, summary), kids,
	    h('div', { class: 'j-row j-close' }, close));
	const set = openNow => {
		if (openNow)
			build();
		wrap.classList.toggle('collapsed', !openNow);
		btn.textContent = openNow ? '▾' : '▸';
		btn.setAttribute('aria-expanded', String(openNow));
		btn.setAttribute('aria-label', openNow ? t('core.json.collapse') :
		    t('core.json.expand'));
	};
	btn.addEventListener('click', () => set(wrap.classList.contains('collapsed')));
	set(depth < collapsed);
	return wrap;
}

export async function copyText(text) {
	try {
		await navigator.clipboard.writeText(text);
	} catch (e) {
		/* Without the clipboard API (plain http): a hidden textarea. */
		const ta = h('textarea', { class: 'offscreen', readonly: true });
		ta.value = text;
		document.body.appendChild(ta);
		ta.select();
		document.execCommand('copy');
		ta.remove();
	}
	toast(t('core.json.copied'), 'success');
}

export function jsonView(value, { collapsed = 3, copy = true } = {}) {
	const tree = h('div', { class: 'json-tree' }, node(null, value, 0, collapsed));
	const tools = copy ? h('div', { class: 'json-tools' },
	    h('button', { type: 'button', class: 'btn small', onclick: () => {
		    tree.querySelectorAll('.j-node.collapsed > .j-row > .j-toggle')
			.forEach(b => b.click());
	    } }, t('core.json.expandAll')),
	    h('button', { type: 'button', class: 'btn small', onclick: () => {
		    tree.querySelectorAll('.j-node:not(.collapsed) > .j-row > .j-toggle')
			.forEach(b => b.click());
	    } }, t('core.json.collapseAll')),
	    h('button', { type: 'button', class: 'btn small', 'data-testid': 'json-copy',
		onclick: () => copyText(JSON.stringify(value, null, 2)) },
		t('core.action.copy'))) : null;
	return h('div', { class: 'json-view' }, tools, tree);
}

// A download of a value as a .json file.
export function downloadJson(value, name) {
	const blob = new Blob([JSON.stringify(value, null, 2) + '\n'],
	    { type: 'application/json' });
	const a = h('a', { href: URL.createObjectURL(blob), download: name });
	document.body.appendChild(a);
	a.click();
	setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}
