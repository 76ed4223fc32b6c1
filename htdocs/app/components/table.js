// table.js -- a table of rows and a pager.
import { h } from '../dom.js';
import { t } from '../i18n.js';

export function table({ columns, rows, empty = 'core.empty', rowAttrs }) {
	if (!rows || !rows.length)
		return h('div', { class: 'empty muted' }, t(empty));
	return h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
	    h('thead', null, h('tr', null, columns.map(c =>
		h('th', { class: c.class }, c.labelKey ? t(c.labelKey) : (c.label || ''))))),
	    h('tbody', null, rows.map(r => h('tr', rowAttrs ? rowAttrs(r) : null,
		columns.map(c => h('td', { class: c.class, 'data-label':
		    c.labelKey ? t(c.labelKey) : (c.label || '') },
		    c.render ? c.render(r) : (r[c.key] === null ||
			r[c.key] === undefined ? '' : String(r[c.key])))))))));
}

// offset/limit paging; hasMore: whether a next page exists.
export function pager({ offset, limit, hasMore, onPage, total }) {
	const page = Math.floor(offset / limit) + 1;
	return h('nav', { class: 'pager', 'aria-label': t('core.pager.label') },
	    h('button', { class: 'btn small', type: 'button', disabled: offset <= 0,
		onclick: () => onPage(Math.max(0, offset - limit)) }, t('core.pager.prev')),
	    h('span', { class: 'muted' }, total !== undefined ?
		t('core.pager.pageOf', { page, pages: Math.max(1, Math.ceil(total / limit)) }) :
		t('core.pager.page', { page })),
	    h('button', { class: 'btn small', type: 'button', disabled: !hasMore,
		onclick: () => onPage(offset + limit) }, t('core.pager.next')));
}
