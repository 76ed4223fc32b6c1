// users.js -- users: list, detail (roles, paged logs, tokens, what they
// made) and edit (enabled, roles).
import { h, clear } from '../../dom.js';
import { ApiError } from '../../api.js';
import { t } from '../../i18n.js';
import { badge } from '../../components/badge.js';
import {
	ROLES, adminCss, pathOf, enabledBadge, yesNo, kv, dateOf, card, loading,
	listPage, submit, userLink, pagedTable, entityHead, checkbox
} from './common.js';

const BASE = '/users';

function roleBadges(roles) {
	if (!roles || !roles.length)
		return h('span', { class: 'muted' }, t('admin.users.noRoles'));
	return h('span', { class: 'tags', 'data-testid': 'roles' },
	    roles.map(r => badge(r, r === 'admin' ? 'warn' : 'info', { dataset: { role: r } })));
}

function displayName(u) {
	return u.name || [u.givenName, u.familyName].filter(Boolean).join(' ') || u.email;
}

export async function list(ctx) {
	await listPage(ctx, {
		titleKey: 'admin.users.title', descKey: 'admin.users.desc',
		path: BASE, base: BASE, testid: 'users',
		rows: data => data.map(x => ({ ...x.user, numLogs: x.numLogs })),
		text: u => [u.name, u.email, (u.roles || []).join(' ')].join(' '),
		columns: [
			{ labelKey: 'admin.field.name', render: u =>
			    h('a', { href: BASE + '/' + encodeURIComponent(u.id) }, displayName(u)) },
			{ labelKey: 'admin.users.email', render: u => u.email },
			{ labelKey: 'admin.field.enabled', render: u => enabledBadge(u.enabled) },
			{ labelKey: 'admin.users.roles', render: u => roleBadges(u.roles) },
			{ labelKey: 'admin.users.numLogs', render: u => String(u.numLogs || 0) }
		]
	});
}

async function getUser(ctx) {
	try {
		return await ctx.api.get(BASE + '/' + encodeURIComponent(ctx.params.id), null,
		    { signal: ctx.signal });
	} catch (e) {
		if (e instanceof ApiError && (e.status === 404 || e.status === 422))
			return null;
		throw e;
	}
}

function linkList(items, base) {
	return items.length ? h('ul', { class: 'plain' }, items.map(x =>
	    h('li', null, h('a', { href: pathOf(base, x) }, x.name)))) :
	    h('p', { class: 'muted' }, t('admin.none'));
}

export async function detail(ctx) {
	await adminCss();
	ctx.setTitle('admin.users.detailTitle', 'admin.users.detailDesc');
	ctx.el.append(loading());
	const u = await getUser(ctx);
	if (!u)
		return ctx.notFound('core.entity.user');
	const id = encodeURIComponent(u.id);
	const sig = { signal: ctx.signal };
	const [sources, providers, lists] = await Promise.all(ctx.can('sources_view') ? [
		ctx.api.get(BASE + '/' + id + '/sources', null, sig),
		ctx.api.get(BASE + '/' + id + '/providers', null, sig),
		ctx.api.get(BASE + '/' + id + '/ignoreLists', null, sig)
	] : [[], [], []]);
	clear(ctx.el);
	document.title = displayName(u) + ' · iocagg';
	const parts = [
		entityHead(ctx, { name: displayName(u), enabled: u.enabled, role: 'users_edit',
		    edit: BASE + '/' + id + '/edit' }),
		h('div', { class: 'grid two' },
		    card(null, kv([
			['admin.users.email', u.email],
			['admin.users.roles', roleBadges(u.roles)],
			['admin.users.verified', yesNo(u.verified)],
			['admin.users.provider', u.provider],
			['admin.users.authId', u.authId ? h('code', null, u.authId) : null],
			['admin.users.locale', u.locale],
			['admin.field.created', dateOf(u.createdAt)],
			['admin.field.updated', dateOf(u.updatedAt)],
			['admin.users.lastModifiedBy', userLink(ctx, u.lastModifiedUserId)]
		    ])),
		    ctx.can('sources_view') ? card('admin.users.made',
			h('h4', null, t('admin.nav.sources')), linkList(sources, '/sources'),
			h('h4', null, t('admin.nav.providers')), linkList(providers, '/providers'),
			h('h4', null, t('admin.nav.lists')), linkList(lists, '/lists')) : null),
		card('admin.users.logs', h('div', { 'data-testid': 'logs' }, pagedTable(ctx, BASE + '/' + id + '/logs', [
			{ labelKey: 'admin.users.log.time', class: 'nowrap', render: x => dateOf(x.createdAt) },
			{ labelKey: 'admin.users.log.method', render: x => badge(x.method || '', 'muted') },
			{ labelKey: 'admin.users.log.uri', render: x => h('code', { class: 'clip wide',
			    title: x.uri || '' }, x.uri || '') },
			{ labelKey: 'admin.users.log.ip', render: x => x.ipAddress || '' },
			{ labelKey: 'admin.users.log.agent', render: x => h('span', { class: 'ua clip',
			    title: x.userAgent || '' }, x.userAgent || '') },
			{ labelKey: 'admin.users.log.trace', render: x => x.traceId ? h('code', { class: 'clip',
			    title: x.traceId }, x.traceId) : '' }
		], 'admin.users.noLogs'))),
		card('admin.users.tokens', pagedTable(ctx, BASE + '/' + id + '/apiTokens', [
			{ labelKey: 'admin.config.note', render: x => x.note },
			{ labelKey: 'admin.field.created', render: x => dateOf(x.createdAt) },
			{ labelKey: 'admin.config.expires', render: x => x.expiresAt ? dateOf(x.expiresAt) : t('admin.never') }
		], 'admin.users.noTokens'))
	];
	if (ctx.can('request_view'))
		parts.push(card('admin.users.requests', pagedTable(ctx, BASE + '/' + id + '/requests', [
			{ labelKey: 'admin.field.data', render: r =>
			    h('a', { href: '/history/' + encodeURIComponent(r.id) }, r.data) },
			{ labelKey: 'admin.field.kind', render: r => badge(r.kind, 'info') },
			{ labelKey: 'admin.field.created', render: r => dateOf(r.createdAt) }
		], 'admin.users.noRequests', { limit: 10 })));
	ctx.el.append(...parts);
}

export async function edit(ctx) {
	await adminCss();
	ctx.setTitle('admin.users.editTitle', 'admin.users.editDesc');
	ctx.el.append(loading());
	const u = await getUser(ctx);
	if (!u)
		return ctx.notFound('core.entity.user');
	clear(ctx.el);
	const have = new Set(u.roles || []);
	const isAdmin = ctx.can('admin');
	const boxes = ROLES.map(r => h('label', { class: 'check role' },
	    h('input', { type: 'checkbox', name: 'role', value: r, checked: have.has(r),
		disabled: r === 'admin' && !isAdmin, dataset: { role: r } }),
	    ' ', h('code', null, r), ' ', h('span', { class: 'muted' }, t('admin.role.' + r))));
	const form = h('form', { class: 'form', novalidate: true, 'data-testid': 'user-form' },
	    card(null,
		h('h2', null, displayName(u)), h('p', { class: 'muted' }, u.email),
		checkbox('enabled', u.enabled, 'admin.field.enabled'),
		h('fieldset', { class: 'field', dataset: { field: 'roles' } },
		    h('legend', null, t('admin.users.roles')), boxes,
		    h('div', { class: 'field-error', role: 'alert', hidden: true }))),
	    h('div', { class: 'toolbar end sticky-actions' },
		h('a', { class: 'btn', href: BASE + '/' + encodeURIComponent(u.id) }, t('admin.cancel')),
		h('button', { type: 'submit', class: 'btn primary', 'data-testid': 'save' }, t('admin.save'))));
	form.addEventListener('submit', async e => {
		e.preventDefault();
		const roles = [...form.querySelectorAll('input[name=role]')].filter(x => x.checked)
		    .map(x => x.value);
		const body = { enabled: form.elements.enabled.checked, roles };
		const ok = await submit(ctx, form, () => ctx.api.patch(BASE + '/' + encodeURIComponent(u.id),
		    body).then(() => true));
		if (!ok)
			return;
		ctx.toast(t('admin.saved', { name: displayName(u) }), 'success');
		ctx.navigate(BASE + '/' + encodeURIComponent(u.id));
	});
	ctx.el.append(form);
}
