// providers.js -- providers: list, detail, new and edit (with their
// sources and ignore lists).
import { h, clear } from '../../dom.js';
import { t } from '../../i18n.js';
import { badge } from '../../components/badge.js';
import { table } from '../../components/table.js';
import {
	adminCss, pathOf, enabledBadge, tagList, kv, dateOf, userLink, card,
	listPage, picker, tagsInput, parseTags, faviconInput, favicon, row,
	check, submit, formPages, linkedSave, saved, entityHead, openEntity,
	checkbox, nameRows, formActions
} from './common.js';

const BASE = '/providers';

export async function list(ctx) {
	await listPage(ctx, {
		titleKey: 'admin.providers.title', descKey: 'admin.providers.desc',
		path: BASE, base: BASE, newRole: 'sources_edit', testid: 'providers',
		text: p => [p.name, p.slug, p.description, (p.tags || []).join(' ')].join(' '),
		columns: [
			{ labelKey: 'admin.field.name', render: p => h('span', { class: 'name-cell' },
			    favicon(p.favicon), h('a', { href: pathOf(BASE, p) }, p.name)) },
			{ labelKey: 'admin.field.enabled', render: p => enabledBadge(p.enabled) },
			{ labelKey: 'admin.field.tags', render: p => tagList(p.tags) },
			{ labelKey: 'admin.providers.numSources', render: p => String(p.numSources || 0) }
		]
	});
}

export async function detail(ctx) {
	await adminCss();
	const p = await openEntity(ctx, BASE,
	    ['admin.providers.detailTitle', 'admin.providers.detailDesc'], 'core.entity.provider');
	if (!p)
		return;
	const sig = { signal: ctx.signal };
	const [sources, lists] = await Promise.all([
		ctx.api.get(BASE + '/' + p.id + '/sources', null, sig),
		ctx.api.get(BASE + '/' + p.id + '/ignoreLists', null, sig)
	]);
	clear(ctx.el);
	document.title = p.name + ' · iocagg';
	ctx.el.append(
	    entityHead(ctx, { name: p.name, enabled: p.enabled, before: favicon(p.favicon),
		edit: pathOf(BASE, p) + '/edit' }),
	    h('div', { class: 'grid two' },
		card(null, kv([
		    ['admin.field.description', p.description],
		    ['admin.field.slug', h('code', null, p.slug)],
		    ['admin.field.url', p.url ? h('a', { href: p.url, target: '_blank',
			rel: 'noopener noreferrer', 'data-external': '' }, p.url) : null],
		    ['admin.field.tags', tagList(p.tags)],
		    ['admin.field.created', dateOf(p.createdAt)],
		    ['admin.field.updated', dateOf(p.updatedAt)],
		    ['admin.field.createdBy', userLink(ctx, p.createdUserId)],
		    ['admin.field.updatedBy', userLink(ctx, p.updatedUserId)]
		])),
		card('admin.providers.lists', lists.length ? h('ul', { class: 'plain' },
		    lists.map(l => h('li', null, h('a', { href: pathOf('/lists', l) }, l.name), ' ',
			l.enabled ? null : badge(t('admin.disabled'), 'muted')))) :
		    h('p', { class: 'muted' }, t('admin.none')))),
	    card('admin.providers.sources', table({
		rows: sources, empty: 'admin.providers.noSources',
		columns: [
			{ labelKey: 'admin.field.name', render: s => h('span', { class: 'name-cell' },
			    favicon(s.favicon), h('a', { href: pathOf('/sources', s) }, s.name)) },
			{ labelKey: 'admin.field.kind', render: s => badge(t('admin.sources.kind.' + s.kind), 'info') },
			{ labelKey: 'admin.field.enabled', render: s => enabledBadge(s.enabled) }
		]
	    })));
}

async function providerForm(ctx, p) {
	await adminCss();
	const creating = !p;
	p = p || { enabled: true, tags: [] };
	const sig = { signal: ctx.signal };
	const [sources, lists, mySources, myLists] = await Promise.all([
		ctx.api.get('/sources', null, sig),
		ctx.api.get('/ignoreLists', null, sig),
		creating ? [] : ctx.api.get(BASE + '/' + p.id + '/sources', null, sig),
		creating ? [] : ctx.api.get(BASE + '/' + p.id + '/ignoreLists', null, sig)
	]);
	clear(ctx.el);
	const fav = faviconInput(p.favicon);
	const srcPick = picker('sources', sources, mySources.map(s => s.id));
	const listPick = picker('ignoreLists', lists.filter(l => !l.global), myLists.map(l => l.id));
	const form = h('form', { class: 'form', novalidate: true, 'data-testid': 'provider-form' },
	    h('div', { class: 'grid two' },
		card('admin.sources.general',
		    checkbox('enabled', p.enabled, 'admin.field.enabled'),
		    nameRows(ctx, p, creating),
		    row('tags', 'admin.field.tags', tagsInput(p.tags)),
		    row('url', 'admin.field.url', h('input', { type: 'url', value: p.url || '',
			placeholder: 'https://' })),
		    h('div', { class: 'field', dataset: { field: 'favicon' } },
			h('span', { class: 'label' }, t('admin.field.favicon')), fav.el)),
		card('admin.providers.sources', srcPick.el),
		card('admin.providers.lists', listPick.el)),
	    formActions(ctx, creating ? null : p, { base: BASE,
		deleteKey: 'admin.providers.deleteConfirm' }));
	const save = linkedSave(ctx, BASE, creating ? null : p);
	form.addEventListener('submit', async e => {
		e.preventDefault();
		if (!check(form, {
			name: { required: true, minLength: 2, maxLength: 100 },
			description: { maxLength: 5000 },
			url: { required: true, url: true, maxLength: 2048 }
		}))
			return;
		const v = form.elements;
		const body = {
			name: v.name.value.trim(),
			description: v.description.value.trim(),
			url: v.url.value.trim(),
			tags: parseTags(v.tags.value),
			enabled: v.enabled.checked
		};
		if (fav.value !== undefined && (fav.value !== null || !creating))
			body.favicon = fav.value;
		const ref = await submit(ctx, form, () => save(body, [
			['/sources', srcPick.value],
			['/ignoreLists', listPick.value]
		]));
		if (ref !== undefined)
			saved(ctx, creating, body.name, BASE, ref);
	});
	ctx.el.append(form);
}

export const { create, edit } = formPages({
	api: BASE, entity: 'core.entity.provider', form: providerForm,
	newTitle: ['admin.providers.newTitle', 'admin.providers.newDesc'],
	editTitle: ['admin.providers.editTitle', 'admin.providers.editDesc']
});
