// pages/docs.js -- in-app documentation: indicator kinds, ignore lists,
// the other pages, and the API documentation.
import { h } from '../dom.js';
import { EXAMPLES } from '../kinds.js';

function section(id, titleKey, ...body) {
	return h('section', { class: 'card doc', id },
	    h('h2', null, h('a', { href: '#' + id, class: 'anchor' }, '#'), ' ', titleKey), ...body);
}

export default async function docs(ctx) {
	const { t } = ctx;
	ctx.setTitle('core.docs.title', 'core.docs.desc');
	let kinds = [];
	try {
		kinds = await ctx.api.get('/indicatorKinds', { details: 'true' }, { signal: ctx.signal }) || [];
	} catch (e) {
		kinds = Object.entries(EXAMPLES).map(([kind, example]) => ({ kind, example }));
	}
	const toc = h('nav', { class: 'card toc', 'aria-label': t('core.docs.toc') },
	    h('ul', { class: 'plain row wrap' }, [['indicators', 'core.docs.indicators'],
		['ignore-lists', 'core.docs.ignoreLists'], ['lookups', 'core.docs.lookups'],
		['history', 'core.docs.history'], ['sources', 'core.docs.sources'],
		['providers', 'core.docs.providers'], ['users', 'core.docs.users'],
		['config', 'core.docs.config'], ['api', 'core.docs.api']].map(([id, k]) =>
		h('li', null, h('a', { href: '#' + id }, t(k))))));
	ctx.el.append(toc,
	    section('indicators', t('core.docs.indicators'),
		h('p', null, t('core.docs.indicatorsText')),
		h('div', { class: 'table-wrap' }, h('table', { class: 'table', 'data-testid': 'kinds' },
		    h('thead', null, h('tr', null, h('th', null, t('core.lookup.kind')),
			h('th', null, t('core.docs.description')), h('th', null, t('core.docs.example')))),
		    h('tbody', null, kinds.map(k => h('tr', null,
			h('td', null, h('strong', null, t('core.kind.' + k.kind))),
			h('td', null, t('core.docs.kind.' + k.kind)),
			h('td', { class: 'mono break' }, ctx.can('request_create') ?
			    h('a', { href: '/request?' + new URLSearchParams({ data: k.example, kind: k.kind }) },
				k.example) : k.example)))))),
		h('p', { class: 'muted' }, t('core.docs.defang'))),
	    section('ignore-lists', t('core.docs.ignoreLists'),
		h('p', null, t('core.docs.ignoreText')),
		h('ul', null,
		    h('li', null, h('strong', null, t('core.docs.ignoreExact')), ' — ',
			t('core.docs.ignoreExactText'), ' ', h('code', null, 'evil.example.com')),
		    h('li', null, h('strong', null, t('core.docs.ignoreCidr')), ' — ',
			t('core.docs.ignoreCidrText'), ' ', h('code', null, '10.0.0.0/8'), ', ',
			h('code', null, '2001:db8::/32')),
		    h('li', null, h('strong', null, t('core.docs.ignoreSuffix')), ' — ',
			t('core.docs.ignoreSuffixText'), ' ', h('code', null, '*.example.com'))),
		h('p', null, t('core.docs.ignoreLevels')),
		h('ul', null,
		    h('li', null, t('core.docs.ignoreGlobal')),
		    h('li', null, t('core.docs.ignoreProvider')),
		    h('li', null, t('core.docs.ignoreSource'))),
		h('p', { class: 'muted' }, t('core.docs.ignoreResult'))),
	    section('lookups', t('core.docs.lookups'), h('p', null, t('core.docs.lookupsText')),
		h('p', null, t('core.docs.lookupsKeys'))),
	    section('history', t('core.docs.history'), h('p', null, t('core.docs.historyText'))),
	    section('sources', t('core.docs.sources'), h('p', null, t('core.docs.sourcesText'))),
	    section('providers', t('core.docs.providers'), h('p', null, t('core.docs.providersText'))),
	    section('users', t('core.docs.users'), h('p', null, t('core.docs.usersText'))),
	    section('config', t('core.docs.config'), h('p', null, t('core.docs.configText'))),
	    section('api', t('core.docs.api'), h('p', null, t('core.docs.apiText')),
		h('div', { class: 'toolbar' },
		    h('a', { class: 'btn primary', href: '/api/v1/docs', 'data-external': '',
			'data-testid': 'api-docs-link' }, t('core.docs.apiLink')),
		    h('a', { class: 'btn', href: '/api/v1/docs/openapi.json', 'data-external': '' },
			t('core.docs.openapiLink')))));
	if (location.hash.length > 1) {
		const el = document.getElementById(decodeURIComponent(location.hash.slice(1)));
		if (el)
			el.scrollIntoView();
	}
}
