// not-found.js -- "this <entity> does not exist" and the plain 404.
import { h } from '../dom.js';
import { t } from '../i18n.js';

const BACK = {
	'core.entity.source': '/sources',
	'core.entity.provider': '/providers',
	'core.entity.list': '/lists',
	'core.entity.user': '/users',
	'core.entity.request': '/history'
};

export function notFoundView(entityKey) {
	const what = entityKey ? t(entityKey) : null;
	const back = entityKey && BACK[entityKey] ? BACK[entityKey] : '/';
	return h('section', { class: 'not-found card', 'data-testid': 'not-found' },
	    h('div', { class: 'nf-code' }, '404'),
	    h('h2', null, what ? t('core.notFound.entity', { entity: what }) :
		t('core.notFound.title')),
	    h('p', { class: 'muted' }, what ? t('core.notFound.entityText', { entity: what }) :
		t('core.notFound.text')),
	    h('div', { class: 'toolbar' },
		h('a', { class: 'btn primary', href: back },
		    back === '/' ? t('core.notFound.home') : t('core.notFound.back')),
		back !== '/' ? h('a', { class: 'btn', href: '/' }, t('core.notFound.home')) : null));
}
