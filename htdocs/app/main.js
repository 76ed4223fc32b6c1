// main.js -- the shell: session, router, sidebar, header, keyboard.
import { h, clear } from './dom.js';
import { api, ApiError, getToken, setToken, tokenExpired, tokenClaims,
    setUnauthorizedHandler } from './api.js';
import { t, loadLang, onLangChange } from './i18n.js';
import { Router, interceptLinks } from './router.js';
import coreRoutes from './routes-core.js';
import { toast, toastError } from './components/toast.js';
import { confirmDialog } from './components/confirm.js';
import { notFoundView } from './components/not-found.js';
import { applyTheme, themeSwitcher } from './components/theme.js';
import { langSwitcher } from './components/lang.js';
import { notificationsBell } from './components/notifications.js';
import { badge } from './components/badge.js';

const SECTIONS = ['lookup', 'manage', 'admin', 'help'];
const root = document.getElementById('app');
const state = { user: null, roles: [], router: null, cleanup: null,
    abort: null, seq: 0, counts: new Map(), countsAt: 0, shell: null };

export function can(role) {
	if (!role)
		return true;
	return state.roles.includes('admin') || state.roles.includes(role);
}

function currentPath() {
	return location.pathname + location.search;
}

export function navigate(path, { replace = false } = {}) {
	if (replace)
		history.replaceState(null, '', path);
	else if (path !== currentPath() + location.hash)
		history.pushState(null, '', path);
	render();
}

function toLogin() {
	const next = currentPath();
	state.user = null;
	state.roles = [];
	state.shell = null;
	if (location.pathname === '/login')
		return;
	toast(t('core.auth.expired'), 'error');
	navigate('/login?next=' + encodeURIComponent(next), { replace: true });
}

async function loadUser() {
	if (!getToken() || tokenExpired()) {
		if (getToken())
			state.expired = true;	/* said once, on the login page */
		setToken(null);
		state.user = null;
		state.roles = [];
		return;
	}
	try {
		state.user = await api.get('/users/me');
		state.roles = state.user.roles || [];
	} catch (e) {
		if (e instanceof ApiError && e.status === 401) {
			setToken(null);
			state.user = null;
			state.roles = [];
		} else {
			throw e;
		}
	}
}

// Called by the login page and the OpenID landing.
export async function startSession(token, next) {
	setToken(token);
	state.shell = null;
	await loadUser();
	const dest = next && /^\/(?!\/)/.test(next) && !next.startsWith('/login') ? next : '/';
	navigate(dest, { replace: true });
}

export function endSession() {
	setToken(null);
	state.user = null;
	state.roles = [];
	state.shell = null;
}

// ---------------------------------------------------------------- shell

function navRoutes() {
	return state.router.routes.filter(r => r.nav && !r.public && can(r.role))
	    .sort((a, b) => (a.nav.order || 0) - (b.nav.order || 0));
}

async function refreshCounts(force) {
	if (!force && Date.now() - state.countsAt < 15000)
		return;
	state.countsAt = Date.now();
	const paths = [...new Set(navRoutes().map(r => r.nav.countPath).filter(Boolean))];
	await Promise.all(paths.map(async p => {
		try {
			state.counts.set(p, await api.get(p));
		} catch (e) {
			state.counts.delete(p);
		}
	}));
	paintCounts();
}

function paintCounts() {
	if (!state.shell)
		return;
	for (const a of state.shell.nav.querySelectorAll('a[data-count-path]')) {
		const v = state.counts.get(a.dataset.countPath);
		let n = null;
		if (Array.isArray(v) && !a.dataset.countKey)
			n = v.length;
		else if (v && a.dataset.countKey && v[a.dataset.countKey] !== undefined)
			n = v[a.dataset.countKey];
		const b = a.querySelector('.count');
		if (b)
			b.textContent = n === null ? '' : String(n);
	}
}

function buildNav() {
	const nav = h('nav', { class: 'nav', 'aria-label': t('core.nav.label') });
	const routes = navRoutes();
	for (const sec of SECTIONS) {
		const items = routes.filter(r => (r.nav.section || 'help') === sec);
		if (!items.length)
			continue;
		nav.appendChild(h('div', { class: 'nav-section' },
		    h('div', { class: 'nav-title' }, t('core.nav.section.' + sec)),
		    items.map(r => h('a', { href: r.nav.href || r.path, class: 'nav-link',
			dataset: { countPath: r.nav.countPath, countKey: r.nav.countKey,
			    navPath: r.nav.href || r.path } },
			h('span', null, t(r.nav.labelKey)),
			r.nav.countPath ? h('span', { class: 'count' }) : null))));
	}
	return nav;
}

// The section of the documentation that explains each area.
const DOCS = { '': 'lookups', request: 'lookups', history: 'history',
	sources: 'sources', providers: 'providers', lists: 'ignore-lists',
	users: 'users', config: 'config', docs: 'api' };

function markActive() {
	if (!state.shell)
		return;
	const p = location.pathname;
	const anchor = DOCS[p.split('/')[1]];
	state.shell.help.hidden = !anchor;
	state.shell.help.setAttribute('href', '/docs#' + (anchor || ''));
	let best = null;
	for (const a of state.shell.nav.querySelectorAll('a.nav-link')) {
		a.classList.remove('active');
		a.removeAttribute('aria-current');
		const np = a.dataset.navPath;
		if (p === np || (np !== '/' && p.startsWith(np + '/'))) {
			if (!best || np.length > best.dataset.navPath.length)
				best = a;
		}
	}
	if (best) {
		best.classList.add('active');
		best.setAttribute('aria-current', 'page');
	}
}

function quickLookup() {
	const input = h('input', { type: 'search', name: 'data', class: 'quick-input',
	    'data-lookup-input': 'header', autocomplete: 'off', spellcheck: 'false',
	    placeholder: t('core.header.lookupPlaceholder'),
	    'aria-label': t('core.header.lookupPlaceholder') });
	return h('form', { class: 'quick-lookup', role: 'search', onsubmit: e => {
		e.preventDefault();
		const v = input.value.trim();
		if (!v)
			return;
		input.value = '';
		input.blur();
		navigate('/request?data=' + encodeURIComponent(v));
	} }, input);
}

function buildShell() {
	const title = h('h1', { class: 'page-title' });
	const desc = h('p', { class: 'page-desc muted' });
	const main = h('main', { class: 'page', id: 'page', tabindex: '-1' });
	const nav = buildNav();
	const side = h('aside', { class: 'sidebar', id: 'sidebar' },
	    h('a', { class: 'brand', href: '/' },
		h('span', { class: 'logo', 'aria-hidden': 'true' }, '◆'), 'iocagg'),
	    nav,
	    h('div', { class: 'side-foot' },
		h('div', { class: 'user-line' },
		    h('span', { class: 'user-name', title: state.user.email },
			state.user.name || state.user.email),
		    state.roles.includes('admin') ? badge(t('core.role.admin'), 'info') : null),
		h('div', { class: 'switchers' }, langSwitcher(), themeSwitcher()),
		h('a', { class: 'btn small', href: '/logout', 'data-testid': 'logout' },
		    t('core.nav.logout'))));
	const menu = h('button', { class: 'menu-btn btn small', type: 'button',
	    'aria-controls': 'sidebar', 'aria-expanded': 'false',
	    'aria-label': t('core.nav.menu') }, '☰');
	menu.addEventListener('click', () => {
		const open = !document.body.classList.contains('nav-open');
		document.body.classList.toggle('nav-open', open);
		menu.setAttribute('aria-expanded', String(open));
	});
	const help = h('a', { class: 'help-link btn small', href: '/docs',
	    title: t('core.header.help'), 'aria-label': t('core.header.help') }, '?');
	const header = h('header', { class: 'topbar' }, menu,
	    h('div', { class: 'titles' }, title, desc),
	    help,
	    h('div', { class: 'top-tools' },
		can('request_create') ? quickLookup() : null,
		notificationsBell({ api, t, navigate })));
	const shell = h('div', { class: 'shell' }, side,
	    h('div', { class: 'scrim', onclick: () => menu.click() }),
	    h('div', { class: 'content' }, header, main));
	clear(root).appendChild(shell);
	state.shell = { el: shell, main, title, desc, nav, menu, help };
	refreshCounts(true);
}

function authShell() {
	const main = h('main', { class: 'auth-page', id: 'page' });
	const wrap = h('div', { class: 'auth-layout' },
	    h('div', { class: 'auth-card card' },
		h('div', { class: 'brand big' },
		    h('span', { class: 'logo', 'aria-hidden': 'true' }, '◆'), 'iocagg'),
		h('p', { class: 'muted tagline' }, t('core.auth.tagline')),
		main),
	    h('footer', { class: 'auth-foot' }, langSwitcher(), themeSwitcher()));
	clear(root).appendChild(wrap);
	return main;
}

function setTitle(titleKey, descKey, vars) {
	const title = titleKey ? t(titleKey, vars) : '';
	document.title = title ? title + ' · iocagg' : 'iocagg';
	if (state.shell) {
		state.shell.title.textContent = title;
		state.shell.desc.textContent = descKey ? t(descKey, vars) : '';
	}
}

function forbiddenView() {
	return h('section', { class: 'card not-found', 'data-testid': 'forbidden' },
	    h('div', { class: 'nf-code' }, '403'),
	    h('h2', null, t('core.forbidden.title')),
	    h('p', { class: 'muted' }, t('core.forbidden.text')),
	    h('a', { class: 'btn primary', href: '/' }, t('core.notFound.home')));
}

// ---------------------------------------------------------------- render

async function render() {
	const seq = ++state.seq;
	state.rendered = currentPath();
	if (state.cleanup) {
		try { state.cleanup(); } catch (e) { console.warn(e); }
		state.cleanup = null;
	}
	if (state.abort)
		state.abort.abort();
	state.abort = new AbortController();
	document.body.classList.remove('nav-open');

	const m = state.router.match(location.pathname);
	const route = m ? m.route : null;
	if (route && !route.public && !state.user) {
		if (state.expired) {
			state.expired = false;
			toast(t('core.auth.expired'), 'error');
		}
		navigate('/login?next=' + encodeURIComponent(currentPath()), { replace: true });
		return;
	}
	if (route && route.guest && state.user) {
		const next = new URLSearchParams(location.search).get('next');
		navigate(next && /^\/(?!\/)/.test(next) ? next : '/', { replace: true });
		return;
	}
	let el;
	if (route && route.public) {
		state.shell = null;
		el = authShell();
	} else if (!state.user) {
		el = authShell();
	} else {
		if (!state.shell)
			buildShell();
		el = clear(state.shell.main);
		markActive();
		refreshCounts(false);
	}
	setTitle(null);
	const ctx = {
		el, params: m ? m.params : {}, query: new URLSearchParams(location.search),
		api, t, user: state.user, roles: state.roles, can, navigate,
		toast: Object.assign((msg, kind) => toast(msg, kind), { error: toastError }),
		setTitle, confirm: confirmDialog, signal: state.abort.signal,
		notFound: entityKey => {
			setTitle('core.notFound.title');
			clear(el).appendChild(notFoundView(entityKey));
		},
		refreshCounts: () => refreshCounts(true),
		startSession, endSession
	};
	if (!route) {
		ctx.notFound(null);
		return;
	}
	if (!can(route.role)) {
		setTitle('core.forbidden.title');
		el.appendChild(forbiddenView());
		return;
	}
	el.setAttribute('aria-busy', 'true');
	try {
		const mod = await route.load();
		if (seq !== state.seq)
			return;
		const fn = mod[route.export || 'default'];
		if (typeof fn !== 'function')
			throw new Error('no page function ' + (route.export || 'default'));
		const cleanup = await fn(ctx);
		if (seq !== state.seq) {
			if (typeof cleanup === 'function')
				cleanup();
			return;
		}
		state.cleanup = typeof cleanup === 'function' ? cleanup : null;
	} catch (e) {
		if (seq !== state.seq)
			return;
		if (e instanceof ApiError && e.status === 404) {
			ctx.notFound(route.entity || null);
		} else if (e instanceof ApiError && e.status === 403) {
			setTitle('core.forbidden.title');
			clear(el).appendChild(forbiddenView());
		} else if (!(e instanceof ApiError && e.code === 'aborted')) {
			if (!(e instanceof ApiError))
				console.error(e);	/* a bug: the tests catch these */
			toastError(e);
		}
	} finally {
		el.removeAttribute('aria-busy');
	}
}

// ---------------------------------------------------------------- start

function keyboard() {
	document.addEventListener('keydown', e => {
		if (e.key === 'Escape' && document.body.classList.contains('nav-open') &&
		    state.shell) {
			state.shell.menu.click();
			return;
		}
		if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey)
			return;
		const a = document.activeElement;
		if (a && (a.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(a.tagName) ||
		    a.closest('.CodeMirror')))
			return;
		const box = document.querySelector('main [data-lookup-input]') ||
		    document.querySelector('[data-lookup-input]');
		if (box) {
			e.preventDefault();
			box.focus();
			box.select && box.select();
		}
	});
}

async function start() {
	applyTheme();
	// The OpenID callback lands on "<next>#token=<jwt>".
	const hm = /^#token=([A-Za-z0-9._-]+)$/.exec(location.hash);
	if (hm) {
		setToken(hm[1]);
		history.replaceState(null, '', currentPath());
	}
	state.router = new Router([...coreRoutes]);
	setUnauthorizedHandler(toLogin);
	// The dictionaries, the admin routes, the user and the first page's
	// module all at once: a deep link to a lookup should not wait on a
	// chain of round trips.
	const first = state.router.match(location.pathname);
	if (first)
		first.route.load().catch(() => {});
	// With a session, the JWT's claims stand for the user until
	// /users/me answers (roles may have changed since the login: the
	// sidebar is redone then; the API decides anyway).
	const c = getToken() && !tokenExpired() ? tokenClaims() : null;
	let me = null;
	if (c && c.sub && Array.isArray(c.roles)) {
		state.user = { id: c.sub, name: c.name, email: c.email, roles: c.roles };
		state.roles = c.roles;
		me = loadUser().then(() => {
			if (!state.user)
				toLogin();
			else if (state.shell) {
				const nav = buildNav();
				state.shell.nav.replaceWith(nav);
				state.shell.nav = nav;
				markActive();
				paintCounts();
			}
		}, e => toastError(e));
	}
	await Promise.all([
		loadLang(),
		import('./pages/admin/routes.js').then(adm =>
		    state.router.add(adm.routes || adm.default || []),
		    e => console.error('admin pages unavailable', e)),
		me ? null : loadUser().catch(e => toastError(e))
	]);
	interceptLinks(navigate);
	keyboard();
	// A link to an anchor of the same page only scrolls.
	window.addEventListener('popstate', () => {
		if (currentPath() !== state.rendered)
			render();
	});
	onLangChange(() => {
		state.shell = null;
		render();
	});
	window.addEventListener('unhandledrejection', e => {
		if (e.reason instanceof ApiError) {
			e.preventDefault();
			toastError(e.reason);
		}
	});
	render();
}

start();
