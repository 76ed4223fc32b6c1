// routes.js -- the management pages: sources, providers, ignore lists,
// users and the configuration.  Entities are addressed by slug (or id)
// in paths: /sources/<slug>, /providers/<slug>, /lists/<slug>,
// /users/<id>.
const sources = () => import('./sources.js');
const providers = () => import('./providers.js');
const lists = () => import('./lists.js');
const users = () => import('./users.js');
const config = () => import('./config.js');

export const routes = [
	{ path: '/sources', load: sources, export: 'list', role: 'sources_view',
	  nav: { section: 'manage', labelKey: 'admin.nav.sources', order: 10,
		 countPath: '/stats/count', countKey: 'sources' } },
	{ path: '/sources/new', load: sources, export: 'create', role: 'sources_edit' },
	{ path: '/sources/:ref', load: sources, export: 'detail',
	  entity: 'core.entity.source', role: 'sources_view' },
	{ path: '/sources/:ref/edit', load: sources, export: 'edit',
	  entity: 'core.entity.source', role: 'sources_edit' },

	{ path: '/providers', load: providers, export: 'list', role: 'sources_view',
	  nav: { section: 'manage', labelKey: 'admin.nav.providers', order: 20,
		 countPath: '/stats/count', countKey: 'providers' } },
	{ path: '/providers/new', load: providers, export: 'create', role: 'sources_edit' },
	{ path: '/providers/:ref', load: providers, export: 'detail',
	  entity: 'core.entity.provider', role: 'sources_view' },
	{ path: '/providers/:ref/edit', load: providers, export: 'edit',
	  entity: 'core.entity.provider', role: 'sources_edit' },

	{ path: '/lists', load: lists, export: 'list', role: 'sources_view',
	  nav: { section: 'manage', labelKey: 'admin.nav.lists', order: 30,
		 countPath: '/stats/count', countKey: 'ignoreLists' } },
	{ path: '/lists/new', load: lists, export: 'create', role: 'sources_edit' },
	{ path: '/lists/:ref', load: lists, export: 'detail',
	  entity: 'core.entity.list', role: 'sources_view' },
	{ path: '/lists/:ref/edit', load: lists, export: 'edit',
	  entity: 'core.entity.list', role: 'sources_edit' },

	{ path: '/users', load: users, export: 'list', role: 'users_view',
	  nav: { section: 'admin', labelKey: 'admin.nav.users', order: 10,
		 countPath: '/stats/count', countKey: 'users' } },
	{ path: '/users/:id', load: users, export: 'detail',
	  entity: 'core.entity.user', role: 'users_view' },
	{ path: '/users/:id/edit', load: users, export: 'edit',
	  entity: 'core.entity.user', role: 'users_edit' },

	{ path: '/config', load: config, export: 'default',
	  nav: { section: 'admin', labelKey: 'admin.nav.config', order: 20 } }
];

export default routes;
