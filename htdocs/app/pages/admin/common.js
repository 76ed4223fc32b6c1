// common.js -- what the management pages share: looking an entity up by
// slug or id, list pages with a filter, entity page heads, detail rows,
// paged tables, link pickers, the favicon and tag inputs, the new and
// edit pages with their actions and saving, and form plumbing over
// components/form.js.
import { h, clear, fmtDate, loadCss } from '../../dom.js';
import { ApiError } from '../../api.js';
import { t } from '../../i18n.js';
import { badge } from '../../components/badge.js';
import { table, pager } from '../../components/table.js';
import { field, showFieldErrors, clearFieldErrors, validate, formData,
    setFieldError, failField } from '../../components/form.js';

export { KINDS } from '../../kinds.js';

export const ROLES = ['admin', 'request_create', 'request_view',
	'sources_view', 'sources_edit', 'secrets_view', 'secrets_edit',
	'users_view', 'users_edit', 'config_edit'];

export function adminCss() {
	return loadCss(new URL('./admin.css', import.meta.url)).catch(() => {});
}

// A slug is lowercase words joined by hyphens (lib/slug.c); an id is
// 12 characters of the id alphabet and, in practice, never a slug.
export function isSlug(ref) {
	return /^[a-z]+(-[a-z]+)*$/.test(ref);
}

/*
 * The entity "ref" names under "base" ('/sources'): by slug
 * (GET base/slugs/ref gives the id) or by id.  null when there is none.
 */
export async function resolve(api, base, ref, signal) {
	let id = ref;
	if (isSlug(ref)) {
		try {
			id = String(await api.get(base + '/slugs/' +
			    encodeURIComponent(ref), null, { signal })).trim();
		} catch (e) {
			if (e instanceof ApiError && e.status === 404 && ref.length !== 12)
				return null;
			if (!(e instanceof ApiError && e.status === 404))
				throw e;
		}
	}
	try {
		return await api.get(base + '/' + encodeURIComponent(id), null, { signal });
	} catch (e) {
		if (e instanceof ApiError && (e.status === 404 || e.status === 422))
			return null;
		throw e;
	}
}

// The page path of an entity (slug when it has one).
export function pathOf(base, o) {
	return base + '/' + encodeURIComponent(o.slug || o.id);
}

export function yesNo(v) {
	return v ? badge(t('admin.yes'), 'ok') : badge(t('admin.no'), 'muted');
}

export function enabledBadge(v) {
	return v ? badge(t('admin.enabled'), 'ok') : badge(t('admin.disabled'), 'muted');
}

export function tagList(tags) {
	if (!tags || !tags.length)
		return h('span', { class: 'muted' }, t('admin.none'));
	return h('span', { class: 'tags' }, tags.map(x => badge(x, 'info')));
}

// A definition list of [labelKey, value] pairs (value: text or node).
export function kv(rows) {
	return h('dl', { class: 'kv' }, rows.filter(Boolean).map(([k, v]) => [
		h('dt', null, t(k)),
		h('dd', null, v === null || v === undefined || v === '' ?
		    h('span', { class: 'muted' }, '—') : v)
	]));
}

export function dateOf(s) {
	return s ? h('time', { datetime: s }, fmtDate(s)) : null;
}

// Users' display names, looked up once per id.
const userNames = new Map();

function userName(ctx, id) {
	if (!userNames.has(id))
		userNames.set(id, ctx.api.get('/users/' + encodeURIComponent(id))
		    .then(u => u.name || u.email || null)
		    .catch(() => {
			    userNames.delete(id);
			    return null;
		    }));
	return userNames.get(id);
}

// A link to a user, showing the id until the name is known (users_view).
export function userLink(ctx, id) {
	if (!id)
		return null;
	if (!ctx.can('users_view'))
		return h('code', null, id);
	const a = h('a', { href: '/users/' + encodeURIComponent(id), title: id }, id);
	userName(ctx, id).then(n => {
		if (n)
			a.textContent = n;
	});
	return a;
}

export function card(titleKey, ...children) {
	return h('section', { class: 'card' },
	    titleKey ? h('h3', null, t(titleKey)) : null, children);
}

export function loading() {
	return h('p', { class: 'muted loading' }, t('admin.loading'));
}

/*
 * A filtered list page.  opts: {titleKey, descKey, path (API), base
 * (page paths), newRole, columns: [{labelKey, render(row)}], text(row)
 * (what the filter searches), rows(data) (unwrap), testid}.
 */
export async function listPage(ctx, opts) {
	await adminCss();
	ctx.setTitle(opts.titleKey, opts.descKey);
	const q = h('input', {
		type: 'search', class: 'filter', name: 'q',
		placeholder: t('admin.filter'), 'aria-label': t('admin.filter'),
		value: ctx.query.get('q') || ''
	});
	const body = h('div', { class: 'list-body' }, loading());
	// "New" takes the filter's text as the new entity's name.
	const newLink = opts.newRole && ctx.can(opts.newRole) ?
	    h('a', { class: 'btn primary', href: opts.base + '/new', 'data-testid': 'new' },
		t('admin.new')) : null;
	const tools = h('div', { class: 'toolbar' }, q, newLink);
	ctx.el.append(tools, body);
	const data = await ctx.api.get(opts.path, null, { signal: ctx.signal });
	const all = opts.rows ? opts.rows(data) : data;
	const render = () => {
		const needle = q.value.trim().toLowerCase();
		const rows = needle ? all.filter(r => opts.text(r).toLowerCase().includes(needle)) : all;
		clear(body);
		if (!rows.length) {
			body.append(h('p', { class: 'empty' }, t(all.length ?
			    'admin.noMatch' : 'admin.empty')));
			return;
		}
		body.append(h('div', { 'data-testid': opts.testid || 'list' },
		    table({ columns: opts.columns, rows })));
	};
	q.addEventListener('input', () => {
		render();
		if (newLink)
			newLink.href = opts.base + '/new' + (q.value.trim() ?
			    '?name=' + encodeURIComponent(q.value.trim()) : '');
		history.replaceState(history.state, '', location.pathname +
		    (q.value ? '?q=' + encodeURIComponent(q.value) : ''));
	});
	render();
}

/*
 * A set of checkboxes to link entities: items [{id, name}], selected
 * ids.  Returns {el, value (the checked ids)}.
 */
export function picker(name, items, selected, { emptyKey = 'admin.none' } = {}) {
	const sel = new Set(selected || []);
	const q = h('input', { type: 'search', class: 'filter small',
	    placeholder: t('admin.filter'), 'aria-label': t('admin.filter') });
	const boxes = items.map(it => {
		const cb = h('input', { type: 'checkbox', value: it.id,
		    checked: sel.has(it.id), dataset: { pick: name } });
		return { it, row: h('label', { class: 'pick' }, cb, ' ', it.name), cb };
	});
	const list = h('div', { class: 'pick-list', 'data-picker': name },
	    boxes.length ? boxes.map(b => b.row) : h('span', { class: 'muted' }, t(emptyKey)));
	q.addEventListener('input', () => {
		const n = q.value.trim().toLowerCase();
		for (const b of boxes)
			b.row.hidden = n !== '' && !b.it.name.toLowerCase().includes(n);
	});
	return {
		el: h('div', { class: 'picker' }, boxes.length > 8 ? q : null, list),
		get value() {
			return boxes.filter(b => b.cb.checked).map(b => b.it.id);
		}
	};
}

// Tags as comma-separated text.
export function tagsInput(tags) {
	return h('input', { type: 'text', name: 'tags', value: (tags || []).join(', '),
	    placeholder: t('admin.tagsHint') });
}

export function parseTags(s) {
	const out = [];
	for (const x of String(s || '').split(','))
		if (x.trim() && !out.includes(x.trim()))
			out.push(x.trim());
	return out;
}

/*
 * The favicon input: a file read into a data: URL (at most 1 MiB, as
 * the API), a preview and a clear button.  {el, value} where value is
 * the data URL, null when cleared, undefined when untouched.
 */
export function faviconInput(current) {
	let value;
	const img = h('img', { class: 'favicon-preview', alt: '', hidden: !current });
	if (current)
		img.src = current;
	const err = h('span', { class: 'field-error' });
	const file = h('input', { type: 'file', name: 'faviconFile',
	    accept: 'image/png,image/x-icon,image/vnd.microsoft.icon,image/svg+xml,image/jpeg,image/gif,image/webp' });
	file.addEventListener('change', () => {
		err.textContent = '';
		const f = file.files[0];
		if (!f)
			return;
		if (f.size >= 1024 * 1024) {
			err.textContent = t('admin.err.favicon');
			file.value = '';
			return;
		}
		const rd = new FileReader();
		rd.onload = () => {
			value = String(rd.result);
			img.src = value;
			img.hidden = false;
		};
		rd.readAsDataURL(f);
	});
	const clr = h('button', { type: 'button', class: 'btn small', onclick: () => {
		value = null;
		file.value = '';
		img.hidden = true;
		img.removeAttribute('src');
	} }, t('admin.clear'));
	return {
		el: h('div', { class: 'favicon-input', 'data-name': 'favicon' }, img, file, clr, err),
		get value() {
			return value;
		}
	};
}

export function favicon(src) {
	return src ? h('img', { class: 'favicon', src, alt: '' }) : null;
}

// A labelled field (components/form.js) for an input.
export function row(name, labelKey, input, hintKey) {
	return field({ name, labelKey, input, hintKey });
}

// A labelled checkbox "name".
export function checkbox(name, checked, labelKey) {
	return h('label', { class: 'check' }, h('input', { type: 'checkbox', name, checked }),
	    ' ', t(labelKey));
}

// The name and description rows of an entity form; a new entity takes
// its name from ?name= (the list filter's text).
export function nameRows(ctx, o, creating) {
	return [
		row('name', 'admin.field.name', h('input', { type: 'text',
		    value: o.name || (creating && ctx.query.get('name')) || '',
		    maxlength: 100, required: true, autocomplete: 'off' })),
		row('description', 'admin.field.description', h('textarea', { rows: 3 }, o.description || ''))
	];
}

/*
 * The actions under an entity's form: Delete (confirmed with message
 * "deleteKey"; not for a new entity), Cancel and Create or Save.  "o" is
 * the entity (null: a new one), "base" its pages' path, "api" its API
 * path.
 */
export function formActions(ctx, o, { base, api = base, deleteKey }) {
	return h('div', { class: 'toolbar end sticky-actions' },
	    o ? deleteButton(ctx, deleteKey, { name: o.name },
		() => ctx.api.del(api + '/' + o.id), base) : null,
	    h('a', { class: 'btn', href: o ? pathOf(base, o) : base }, t('admin.cancel')),
	    h('button', { type: 'submit', class: 'btn primary', 'data-testid': 'save' },
		t(o ? 'admin.save' : 'admin.create')));
}

/*
 * Client checks before sending (components/form.js validate()), plus
 * fields required only in some states: "when" is [[name, bool], ...]
 * and a named field must not be empty when its bool is true.  The
 * messages go next to the fields, as the API's do.  true when all pass.
 */
export function check(form, rules, when = []) {
	let ok = validate(form, rules);
	const data = formData(form);
	for (const [name, need] of when) {
		const v = data[name];
		if (need && (v === null || v === undefined || String(v).trim() === '')) {
			failField(form, name, t('core.form.required'), ok);
			ok = false;
		}
	}
	return ok;
}

/*
 * Send a form: run "send" with the submit button disabled; an ApiError
 * with field errors goes next to the fields (and in a toast), any
 * other error in a toast.  Returns send's result or undefined.
 */
export async function submit(ctx, form, send, onError) {
	const btns = form.querySelectorAll('button[type=submit]');
	btns.forEach(b => { b.disabled = true; });
	clearFieldErrors(form);
	try {
		return await send();
	} catch (e) {
		if (e instanceof ApiError && !showFieldErrors(form, e)) {
			// A taken name is a 409 that names no field.
			if (e.status === 409 && /\bnamed?\b/i.test(e.message) &&
			    form.querySelector('[name=name]'))
				setFieldError(form, 'name', e.message);
			else if (onError)
				onError(e);
		}
		ctx.toast.error(e);
		return undefined;
	} finally {
		btns.forEach(b => { b.disabled = false; });
	}
}

// "Delete" with a confirmation; runs "del" then goes to "after".
export function deleteButton(ctx, messageKey, vars, del, after) {
	return h('button', { type: 'button', class: 'btn danger', 'data-testid': 'delete',
	    onclick: async () => {
		if (!await ctx.confirm(t(messageKey, vars), { okKey: 'admin.delete', danger: true }))
			return;
		try {
			await del();
		} catch (e) {
			ctx.toast.error(e);
			return;
		}
		ctx.toast(t('admin.deleted', vars), 'success');
		ctx.navigate(after);
	} }, t('admin.delete'));
}

export function numberOrNull(s) {
	s = String(s === undefined || s === null ? '' : s).trim();
	return s === '' ? null : Number(s);
}

// Every row of a paged list (pages of 1000, the API's largest).
export async function fetchAll(ctx, path) {
	const out = [];
	for (let offset = 0; ; offset += 1000) {
		const rows = await ctx.api.get(path, { limit: 1000, offset }, { signal: ctx.signal });
		out.push(...rows);
		if (rows.length < 1000)
			return out;
	}
}

// Replace the children of "el" (null, false and undefined are skipped:
// Element.append() would write them as text).
export function fill(el, ...kids) {
	clear(el);
	el.append(...kids.flat().filter(k => k !== null && k !== undefined && k !== false));
	return el;
}

/*
 * A table of a paged API list "path" with a pager, "limit" rows a page.
 * opts: {limit, testid, spin (show "loading" while a page loads)}.
 */
export function pagedTable(ctx, path, columns, emptyKey, { limit = 20, testid, spin } = {}) {
	const box = h('div', testid ? { 'data-testid': testid } : null, spin ? null : loading());
	const load = async offset => {
		if (spin)
			fill(box, loading());
		const rows = await ctx.api.get(path, { limit: limit + 1, offset }, { signal: ctx.signal });
		fill(box, table({ rows: rows.slice(0, limit), columns, empty: emptyKey }),
		    rows.length > limit || offset > 0 ? pager({ offset, limit,
			hasMore: rows.length > limit, onPage: o => load(o).catch(ctx.toast.error) }) : null);
	};
	load(0).catch(e => {
		clear(box);
		ctx.toast.error(e);
	});
	return box;
}

/*
 * The start of an entity's page: the title (title and description
 * keys), "loading", and the entity ctx.params.ref names under API path
 * "api".  null after showing "not found" (core.entity key "entity")
 * when it names none.
 */
export async function openEntity(ctx, api, title, entity) {
	ctx.setTitle(...title);
	ctx.el.append(loading());
	const o = await resolve(ctx.api, api, ctx.params.ref, ctx.signal);
	if (!o)
		ctx.notFound(entity);
	return o;
}

/*
 * The head of an entity's page: "before" (its favicon), its name, its
 * enabled badge, "after" (more badges) and, with role "role", an Edit
 * link to "edit".
 */
export function entityHead(ctx, { name, enabled, before = null, after = null,
    role = 'sources_edit', edit }) {
	return h('div', { class: 'toolbar entity-head' }, before,
	    h('h2', { 'data-testid': 'entity-name' }, name), enabledBadge(enabled), after,
	    h('span', { class: 'spacer' }),
	    ctx.can(role) ? h('a', { class: 'btn primary', href: edit,
		'data-testid': 'edit' }, t('admin.edit')) : null);
}

/*
 * The "new" and "edit" pages of an entity at API path "api" whose form
 * is form(ctx, entity or null).  opts: {api, entity (names it when the
 * ref finds none), form, newTitle: [title, description keys],
 * editTitle: [...]}.
 */
export function formPages({ api, entity, form, newTitle, editTitle }) {
	return {
		async create(ctx) {
			ctx.setTitle(...newTitle);
			ctx.el.append(loading());
			return form(ctx, null);
		},
		async edit(ctx) {
			const o = await openEntity(ctx, api, editTitle, entity);
			return o ? form(ctx, o) : undefined;
		}
	};
}

/*
 * The save of an entity form with linked lists: a function of (body,
 * links) that creates the entity ("o" null) or patches "o" at API path
 * "api", then PUTs each [subpath, value] of links.  A retry after a
 * link failed patches what the first try created.  Resolves to the
 * entity's slug (which a new name changed) or id, for its page's path.
 */
export function linkedSave(ctx, api, o) {
	let made = null;
	return async (body, links) => {
		if (!o && !made)
			made = await ctx.api.post(api, body);
		else
			await ctx.api.patch(api + '/' + (made || o).id, body);
		const id = (made || o).id;
		for (const [sub, value] of links)
			await ctx.api.put(api + '/' + id + sub, value);
		return (await ctx.api.get(api + '/' + id)).slug || id;
	};
}

// After a save: say so and go to the entity's page "base/ref".
export function saved(ctx, creating, name, base, ref) {
	ctx.toast(t(creating ? 'admin.created' : 'admin.saved', { name }), 'success');
	ctx.navigate(base + '/' + encodeURIComponent(ref));
}
