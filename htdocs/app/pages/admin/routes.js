// routes.js -- the management pages: sources, providers, ignore lists,
// users and the configuration.  Entities are addressed by slug (or id)
// in paths: /sources/<slug>, /providers/<slug>, /lists/<slug>,
// /users/<id>.
const sources = () => import('./sources.js');
const providers = () => import('./providers.js');
const lists = () => import('./lists.js');
const users = () => import('./users.js');
const config = () => import('./config.js');

/*
 * The list, new, detail and edit pages of an entity addressed by :ref
 * (viewed with sources_view, changed with sources_edit); "entity" is
 * its core.entity key, "nav" its menu entry.
 */
function entityRoutes(path, load, entity, nav) {
	return [
		{ path, load, export: 'list', role: 'sources_view',
		  nav: { section: 'manage', countPath: '/stats/count', ...nav } },
		{ path: path + '/new', load, export: 'create', role: 'sources_edit' },
		{ path: path + '/:ref', load, export: 'detail', entity, role: 'sources_view' },
		{ path: path + '/:ref/edit', load, export: 'edit', entity, role: 'sources_edit' }
	];
}

export const routes = [
	...entityRoutes('/sources', sources, 'core.entity.source',
	    { labelKey: 'admin.nav.sources', order: 10, countKey: 'sources' }),
	...entityRoutes('/providers', providers, 'core.entity.provider',
	    { labelKey: 'admin.nav.providers', order: 20, countKey: 'providers' }),
	...entityRoutes('/lists', lists, 'core.entity.list',
	    { labelKey: 'admin.nav.lists', order: 30, countKey: 'ignoreLists' }),

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
