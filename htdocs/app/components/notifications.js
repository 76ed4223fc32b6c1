// notifications.js -- the bell: what needs attention, linking to the fix.
import { h, fmtDate } from '../dom.js';

function bellIcon() {
	const svg = h('svg:svg', { viewBox: '0 0 24 24', width: 18, height: 18,
	    'aria-hidden': 'true', class: 'icon' });
	svg.appendChild(h('svg:path', { d: 'M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1z',
	    fill: 'currentColor' }));
	return svg;
}

export function notificationsBell({ api, t }) {
	const count = h('span', { class: 'bell-count', hidden: true });
	const list = h('div', { class: 'bell-list', role: 'menu', hidden: true });
	const btn = h('button', { class: 'bell btn small', type: 'button',
	    'aria-haspopup': 'true', 'aria-expanded': 'false', 'data-testid': 'bell',
	    'aria-label': t('core.notif.label') },
	    bellIcon(), count);
	const wrap = h('div', { class: 'bell-wrap' }, btn, list);
	let items = [];

	const item = n => {
		const c = n.content || {};
		if (n.kind === 'MISSING_REQUIRED_SOURCE_SECRET')
			return h('a', { class: 'bell-item', role: 'menuitem',
			    href: '/sources/' + encodeURIComponent(c.id) + '/edit' },
			    h('strong', null, c.name),
			    h('span', { class: 'muted' }, t('core.notif.missingSecrets',
				{ n: c.numMissingSecrets })));
		if (n.kind === 'EXPIRED_SECRET')
			return h('a', { class: 'bell-item', role: 'menuitem', href: '/config#secrets' },
			    h('strong', null, c.name),
			    h('span', { class: 'muted' }, t('core.notif.expiredSecret',
				{ date: fmtDate(c.expiresAt) })));
		return h('div', { class: 'bell-item' }, String(n.kind));
	};
	const paint = () => {
		count.textContent = items.length ? String(items.length) : '';
		count.hidden = !items.length;
		list.replaceChildren(items.length ? h('div', null, items.map(item)) :
		    h('div', { class: 'bell-item muted' }, t('core.notif.none')));
	};
	const close = () => {
		list.hidden = true;
		btn.setAttribute('aria-expanded', 'false');
	};
	btn.addEventListener('click', e => {
		e.stopPropagation();
		list.hidden = !list.hidden;
		btn.setAttribute('aria-expanded', String(!list.hidden));
	});
	list.addEventListener('click', e => {
		if (e.target.closest('a'))
			close();
	});
	document.addEventListener('click', e => {
		if (!wrap.contains(e.target))
			close();
	});
	document.addEventListener('keydown', e => {
		if (e.key === 'Escape')
			close();
	});
	const load = async () => {
		if (!wrap.isConnected && items.length)
			return;
		try {
			items = await api.get('/notifications') || [];
		} catch (e) {
			items = [];
		}
		paint();
	};
	paint();
	load();
	const timer = setInterval(() => {
		if (!wrap.isConnected)
			clearInterval(timer);
		else
			load();
	}, 60000);
	return wrap;
}
