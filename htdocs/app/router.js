// router.js -- history-API routing over route tables (see README.md).

function compile(r) {
	const segs = r.path.split('/').filter(Boolean);
	const names = [];
	const re = segs.map(s => {
		if (s === '*') {
			names.push('rest');
			return '(.*)';
		}
		if (s.startsWith(':')) {
			names.push(s.slice(1));
			return '([^/]+)';
		}
		return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	});
	return {
		...r,
		re: new RegExp('^/' + re.join('/') + '/?$'),
		names,
		// Literal segments first, then the number of segments.
		score: segs.filter(s => !s.startsWith(':') && s !== '*').length * 100 +
		    segs.length - (segs.includes('*') ? 1000 : 0)
	};
}

export class Router {
	constructor(routes) {
		this.routes = routes.map(compile).sort((a, b) => b.score - a.score);
	}

	add(routes) {
		this.routes = this.routes.concat(routes.map(compile))
		    .sort((a, b) => b.score - a.score);
	}

	match(pathname) {
		for (const r of this.routes) {
			const m = r.re.exec(pathname);
			if (!m)
				continue;
			const params = {};
			r.names.forEach((n, i) => {
				try {
					params[n] = decodeURIComponent(m[i + 1]);
				} catch (e) {
					params[n] = m[i + 1];
				}
			});
			return { route: r, params };
		}
		return null;
	}
}

// Same-origin link clicks become navigations.
export function interceptLinks(navigate) {
	document.addEventListener('click', e => {
		if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey ||
		    e.shiftKey || e.altKey)
			return;
		const a = e.target.closest('a[href]');
		if (!a || a.target || a.hasAttribute('download') ||
		    a.hasAttribute('data-external'))
			return;
		const u = new URL(a.href, location.href);
		if (u.origin !== location.origin || u.pathname.startsWith('/api/') ||
		    u.pathname.startsWith('/javascript/'))
			return;
		e.preventDefault();
		if (u.pathname === location.pathname && u.search === location.search &&
		    u.hash) {
			location.hash = u.hash;
			return;
		}
		navigate(u.pathname + u.search + u.hash);
	});
}
