// lists.js -- ignore lists: list, detail (paged entries), new and edit
// (entries table, bulk paste of many lines, linked sources and
// providers).  Entries are exact indicators, CIDR networks for IPV4 and
// IPV6 ("10.0.0.0/8") and "*.example.com" for a domain and every name
// under it.
import { h, clear } from '../../dom.js';
import { t } from '../../i18n.js';
import { badge } from '../../components/badge.js';
import { isKind, detectKind } from '../../kinds.js';
import { table, pager } from '../../components/table.js';
import {
	KINDS, adminCss, pathOf, enabledBadge, yesNo, kv, dateOf, userLink,
	card, loading, listPage, picker, check, submit, fetchAll, fill,
	formPages, linkedSave, saved, entityHead, openEntity, checkbox,
	nameRows, formActions
} from './common.js';

const BASE = '/lists';
const API = '/ignoreLists';

// The kind of an entry: a CIDR network is IPV4 or IPV6 by its address,
// "*.name" is DOMAIN, anything else as the lookup form detects it
// (kinds.js); null if none.
export function entryKind(s) {
	s = String(s || '').trim();
	const cidr = /^([^/\s]+)\/(\d{1,3})$/.exec(s);
	if (cidr) {
		if (isKind('IPV4', cidr[1]) && Number(cidr[2]) <= 32)
			return 'IPV4';
		if (isKind('IPV6', cidr[1]) && Number(cidr[2]) <= 128)
			return 'IPV6';
		return null;
	}
	if (s.startsWith('*.'))
		return isKind('DOMAIN', 'x' + s.slice(1)) || /^\*\.[a-z0-9-]+$/i.test(s) ? 'DOMAIN' : null;
	return detectKind(s);
}

/*
 * Lines of pasted text as entries: "data", or "data KIND" / "data,KIND"
 * / "data<TAB>KIND"; blank lines and "#" comments skipped.  Returns
 * {entries, bad: [line numbers]}.
 */
export function parseLines(text) {
	const entries = [], bad = [];
	String(text).split(/\r?\n/).forEach((line, i) => {
		const s = line.trim();
		if (!s || s.startsWith('#'))
			return;
		const m = /^(\S+)[\s,;]+([A-Za-z0-9]+)$/.exec(s);
		let data = s, kind = null;
		if (m && KINDS.includes(m[2].toUpperCase())) {
			data = m[1];
			kind = m[2].toUpperCase();
		} else {
			kind = entryKind(s);
		}
		if (!kind || /\s/.test(data))
			bad.push(i + 1);
		else
			entries.push({ data, indicatorKind: kind });
	});
	return { entries, bad };
}

export async function list(ctx) {
	await listPage(ctx, {
		titleKey: 'admin.lists.title', descKey: 'admin.lists.desc',
		path: API, base: BASE, newRole: 'sources_edit', testid: 'lists',
		text: l => [l.name, l.slug, l.description].join(' '),
		columns: [
			{ labelKey: 'admin.field.name', render: l => h('a', { href: pathOf(BASE, l) }, l.name) },
			{ labelKey: 'admin.field.enabled', render: l => enabledBadge(l.enabled) },
			{ labelKey: 'admin.lists.global', render: l => yesNo(l.global) },
			{ labelKey: 'admin.field.description', render: l => l.description || '' }
		]
	});
}

function entriesView(ctx, l) {
	const box = h('div', { 'data-testid': 'entries' });
	const limit = 50;
	const load = async offset => {
		const rows = await ctx.api.get(API + '/' + l.id + '/entries',
		    { limit: limit + 1, offset }, { signal: ctx.signal });
		fill(box, table({
			rows: rows.slice(0, limit), empty: 'admin.lists.noEntries',
			columns: [
				{ labelKey: 'admin.field.data', render: e => h('code', null, e.data) },
				{ labelKey: 'admin.field.kind', render: e => badge(e.indicatorKind, 'info') },
				{ labelKey: 'admin.lists.match', render: e => t('admin.lists.match.' +
				    (e.data.includes('/') ? 'cidr' : e.data.startsWith('*.') ? 'suffix' : 'exact')) },
				{ labelKey: 'admin.field.created', render: e => dateOf(e.createdAt) }
			]
		}), rows.length > limit || offset > 0 ? pager({ offset, limit,
		    hasMore: rows.length > limit, onPage: o => load(o).catch(ctx.toast.error) }) : null);
	};
	box.append(loading());
	load(0).catch(e => {
		clear(box);
		ctx.toast.error(e);
	});
	return box;
}

export async function detail(ctx) {
	await adminCss();
	const l = await openEntity(ctx, API, ['admin.lists.detailTitle', 'admin.lists.detailDesc'],
	    'core.entity.list');
	if (!l)
		return;
	const sig = { signal: ctx.signal };
	const [sources, providers] = await Promise.all([
		ctx.api.get(API + '/' + l.id + '/sources', null, sig),
		ctx.api.get(API + '/' + l.id + '/providers', null, sig)
	]);
	clear(ctx.el);
	document.title = l.name + ' · iocagg';
	const links = l.global ? h('p', null, t('admin.lists.globalText')) : h('div', null,
	    h('h4', null, t('admin.lists.sources')),
	    sources.length ? h('ul', { class: 'plain' }, sources.map(s =>
		h('li', null, h('a', { href: pathOf('/sources', s) }, s.name)))) :
		h('p', { class: 'muted' }, t('admin.none')),
	    h('h4', null, t('admin.lists.providers')),
	    providers.length ? h('ul', { class: 'plain' }, providers.map(p =>
		h('li', null, h('a', { href: pathOf('/providers', p) }, p.name)))) :
		h('p', { class: 'muted' }, t('admin.none')));
	ctx.el.append(
	    entityHead(ctx, { name: l.name, enabled: l.enabled,
		after: l.global ? badge(t('admin.lists.global'), 'info') : null,
		edit: pathOf(BASE, l) + '/edit' }),
	    h('div', { class: 'grid two' },
		card(null, kv([
		    ['admin.field.description', l.description],
		    ['admin.field.slug', h('code', null, l.slug)],
		    ['admin.lists.global', yesNo(l.global)],
		    ['admin.field.created', dateOf(l.createdAt)],
		    ['admin.field.updated', dateOf(l.updatedAt)],
		    ['admin.field.createdBy', userLink(ctx, l.createdUserId)],
		    ['admin.field.updatedBy', userLink(ctx, l.updatedUserId)]
		])),
		card('admin.lists.appliesTo', links)),
	    card('admin.lists.entries', entriesView(ctx, l)));
}

// The editable entries table: {el, value}.
function entriesInput(ctx, entries) {
	const body = h('tbody');
	const count = h('span', { class: 'muted', 'data-testid': 'entry-count' });
	const recount = () => {
		count.textContent = t('admin.lists.count', { n: body.children.length });
	};
	const addRow = (e, focus) => {
		const data = h('input', { type: 'text', class: 'entry-data', value: e.data || '',
		    'aria-label': t('admin.field.data'), placeholder: '10.0.0.0/8' });
		const kind = h('select', { class: 'entry-kind', 'aria-label': t('admin.field.kind') },
		    KINDS.map(k => h('option', { value: k, selected: k === e.indicatorKind }, k)));
		let auto = !e.indicatorKind;
		data.addEventListener('input', () => {
			const k = auto ? entryKind(data.value) : null;
			if (k)
				kind.value = k;
		});
		kind.addEventListener('change', () => { auto = false; });
		const tr = h('tr', { class: 'entry' }, h('td', null, data), h('td', null, kind),
		    h('td', null, h('button', { type: 'button', class: 'btn small',
			onclick: () => { tr.remove(); recount(); } }, t('admin.remove'))));
		body.append(tr);
		if (focus)
			data.focus();
	};
	entries.forEach(e => addRow(e));
	recount();
	const paste = h('textarea', { rows: 6, class: 'mono', name: 'bulk',
	    placeholder: '10.0.0.0/8\n*.example.com\nevil.example.org\n2001:db8::/32\n44d88612fea8a8f36de82e1278abb02f MD5',
	    'aria-label': t('admin.lists.bulk'), 'data-testid': 'bulk' });
	const pasteMsg = h('div', { class: 'field-error', role: 'alert', hidden: true });
	const addBulk = h('button', { type: 'button', class: 'btn small', 'data-testid': 'bulk-add',
	    onclick: () => {
		const { entries: es, bad } = parseLines(paste.value);
		const have = new Set([...body.querySelectorAll('tr.entry')].map(tr =>
		    tr.querySelector('.entry-kind').value + ' ' + tr.querySelector('.entry-data').value.trim()));
		let n = 0;
		for (const e of es)
			if (!have.has(e.indicatorKind + ' ' + e.data)) {
				have.add(e.indicatorKind + ' ' + e.data);
				addRow(e);
				n++;
			}
		recount();
		pasteMsg.hidden = !bad.length;
		pasteMsg.textContent = bad.length ? t('admin.lists.bulkBad', { lines: bad.slice(0, 20).join(', ') }) : '';
		paste.value = '';
		ctx.toast(t('admin.lists.bulkAdded', { n }), 'success');
	} }, t('admin.lists.bulkAdd'));
	return {
		el: h('div', { class: 'entries-input', 'data-name': 'entries' },
		    h('table', { class: 'table' },
			h('thead', null, h('tr', null, h('th', null, t('admin.field.data')),
			    h('th', null, t('admin.field.kind')), h('th'))), body),
		    h('div', { class: 'toolbar' },
			h('button', { type: 'button', class: 'btn small', 'data-testid': 'add-entry',
			    onclick: () => { addRow({}, true); recount(); } }, t('admin.lists.addEntry')),
			count),
		    h('div', { class: 'field', dataset: { field: 'bulk' } },
			h('label', null, t('admin.lists.bulk')), paste,
			h('div', { class: 'field-hint muted' }, t('admin.lists.bulkHint')), pasteMsg),
		    addBulk),
		// "entry N: ..." or "entries N and M ...": mark those rows.
		markError(e) {
			const rows = [...body.querySelectorAll('tr.entry')].filter(tr =>
			    tr.querySelector('.entry-data').value.trim());
			const m = /\bentr(?:y|ies) (\d+)(?: and (\d+))?/.exec(e.message || '');
			if (!m)
				return;
			for (const i of [m[1], m[2]].filter(Boolean).map(Number)) {
				const input = rows[i] && rows[i].querySelector('.entry-data');
				if (input) {
					input.setAttribute('aria-invalid', 'true');
					input.title = e.message;
				}
			}
			const first = rows[Number(m[1])];
			if (first)
				first.querySelector('.entry-data').focus();
		},
		get value() {
			return [...body.querySelectorAll('tr.entry')].map(tr => ({
				data: tr.querySelector('.entry-data').value.trim(),
				indicatorKind: tr.querySelector('.entry-kind').value
			})).filter(e => e.data);
		}
	};
}

async function listForm(ctx, l) {
	await adminCss();
	const creating = !l;
	l = l || { enabled: true, global: false };
	const sig = { signal: ctx.signal };
	const [sources, providers, mySources, myProviders, entries] = await Promise.all([
		ctx.api.get('/sources', null, sig),
		ctx.api.get('/providers', null, sig),
		creating ? [] : ctx.api.get(API + '/' + l.id + '/sources', null, sig),
		creating ? [] : ctx.api.get(API + '/' + l.id + '/providers', null, sig),
		creating ? [] : fetchAll(ctx, API + '/' + l.id + '/entries')
	]);
	clear(ctx.el);
	const srcPick = picker('sources', sources, mySources.map(s => s.id));
	const provPick = picker('providers', providers, myProviders.map(p => p.id));
	const ent = entriesInput(ctx, entries);
	const form = h('form', { class: 'form', novalidate: true, 'data-testid': 'list-form' },
	    h('div', { class: 'grid two' },
		card('admin.sources.general',
		    checkbox('enabled', l.enabled, 'admin.field.enabled'),
		    checkbox('global', l.global, 'admin.lists.global'),
		    h('p', { class: 'muted small' }, t('admin.lists.globalText')),
		    nameRows(ctx, l, creating)),
		card('admin.lists.sources', srcPick.el),
		card('admin.lists.providers', provPick.el)),
	    card('admin.lists.entries', ent.el),
	    formActions(ctx, creating ? null : l, { base: BASE, api: API,
		deleteKey: 'admin.lists.deleteConfirm' }));
	const save = linkedSave(ctx, API, creating ? null : l);
	form.addEventListener('submit', async e => {
		e.preventDefault();
		if (!check(form, {
			name: { required: true, minLength: 2, maxLength: 100 },
			description: { maxLength: 5000 }
		}))
			return;
		const v = form.elements;
		const body = {
			name: v.name.value.trim(),
			description: v.description.value.trim(),
			enabled: v.enabled.checked,
			global: v.global.checked
		};
		const ref = await submit(ctx, form, () => save(body, [
			['/entries', ent.value],
			['/sources', srcPick.value],
			['/providers', provPick.value]
		]), e => ent.markError(e));
		if (ref !== undefined)
			saved(ctx, creating, body.name, BASE, ref);
	});
	ctx.el.append(form);
}

export const { create, edit } = formPages({
	api: API, entity: 'core.entity.list', form: listForm,
	newTitle: ['admin.lists.newTitle', 'admin.lists.newDesc'],
	editTitle: ['admin.lists.editTitle', 'admin.lists.editDesc']
});
