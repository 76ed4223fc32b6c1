// routes-core.js -- the core pages (see README.md for the fields).
const auth = () => import('./pages/auth.js');
const home = () => import('./pages/home.js');
const lookup = () => import('./pages/lookup.js');
const history = () => import('./pages/history.js');
const docs = () => import('./pages/docs.js');

export default [
	{ path: '/login', load: auth, export: 'login', public: true, guest: true },
	{ path: '/signup', load: auth, export: 'signup', public: true, guest: true },
	{ path: '/auth', load: auth, export: 'landing', public: true },
	{ path: '/logout', load: auth, export: 'logout', public: true },
	{ path: '/', load: home, nav: { section: 'lookup', labelKey: 'core.nav.home', order: 0 } },
	{ path: '/request', load: lookup, role: 'request_create',
	    nav: { section: 'lookup', labelKey: 'core.nav.lookup', order: 10 } },
	{ path: '/history', load: history, export: 'list', role: 'request_view',
	    nav: { section: 'lookup', labelKey: 'core.nav.history', order: 20,
		countPath: '/stats/count', countKey: 'history' } },
	{ path: '/history/:id', load: history, export: 'detail', role: 'request_view',
	    entity: 'core.entity.request' },
	{ path: '/docs', load: docs, nav: { section: 'help', labelKey: 'core.nav.docs', order: 0 } }
];
