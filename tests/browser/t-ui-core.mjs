// tests/browser/t-ui-core.mjs -- the core pages in real Chromium against
// the stack of tools/devstack test: login and the way back after an
// expired session, a live lookup whose cards arrive one by one (mock
// upstream and runner sources made here), the cache badge, the history,
// theme and language, the phone width, the notifications bell, XSS in a
// source's name and answer, and no console error or failed request on
// any page.  TAP; skipped without a stack, Chromium or playwright-core.
import { tap, env, needBrowser, launch, watch, login, makeUser, apiClient,
    letters, settled } from './lib.mjs';

const E = env();
await needBrowser(E);
const api = apiClient(E);
const XSS = '<img src=x onerror=alert(1)>';
const tag = letters(6);
const created = [];

async function mkSource(name, code, extra = {}) {
	const r = await api.post('/sources', {
		name, description: 'made by t-ui-core', url: 'https://example.org/t-ui-core',
		tags: ['t-ui-core'], enabled: true, supportedIndicators: ['DOMAIN'],
		disabledIndicators: [], taskEnabled: false, limitEnabled: false,
		cacheEnabled: false, config: [], configValues: [], kind: 'PYTHON',
		sourceCode: code, timeout: 10, ...extra
	});
	if (r.status === 201 && r.data && r.data.id)
		created.push(r.data.id);
	return r;
}

const b = await launch();
const { page, context } = b;
const w = watch(page);
const dialogs = [];
page.on('dialog', d => {
	dialogs.push(d.message());
	d.dismiss().catch(() => {});
});

try {
	// --- fixtures: four Python sources (through the API) -----------------
	const fast = await mkSource(`UI fast ${tag}`,
	    'def fetch_data(data, kind):\n    return [{"seen": data}, {"kind": kind}]\n',
	    { cacheEnabled: true, cacheInterval: 3600 });
	const slow = await mkSource(`${XSS} ${tag}`,
	    'import time\ndef fetch_data(data, kind):\n    time.sleep(2)\n' +
	    '    return {"html": "<script>alert(2)</script>",\n' +
	    '            "verdict": {"verdict": "suspicious", "score": 60}}\n');
	const boom = await mkSource(`UI boom ${tag}`,
	    'def fetch_data(data, kind):\n    raise ValueError("no luck")\n');
	const ipv4 = await mkSource(`UI ipv4 only ${tag}`,
	    'def fetch_data(data, kind):\n    return data\n', { supportedIndicators: ['IPV4'] });
	tap.ok([fast, slow, boom, ipv4].every(r => r.status === 201),
	    'four Python sources made through the API (one named with HTML)',
	    [fast, slow, boom, ipv4].map(r => r.status + ' ' + JSON.stringify(r.data)).join('\n'));
	const [FAST, SLOW, BOOM, IPV4] = [fast, slow, boom, ipv4].map(r => r.data && r.data.id);
	const slot = await api.put(`/sources/${IPV4}/secrets`,
	    [{ name: 'UI_SLOT_' + tag.toUpperCase(), required: true }]);
	tap.is(slot.status, 204, 'one of them has a required secret slot left empty');
	const all = await api.get('/sources');
	const system = (all.data || []).filter(s => s.kind === 'SYSTEM' && s.enabled &&
	    s.supportedIndicators.includes('DOMAIN')).map(s => s.id);
	const ids = [FAST, SLOW, BOOM, IPV4, ...system];

	// --- login, and back to the page asked for ---------------------------
	const user = makeUser(E, ['request_create', 'request_view', 'sources_view'],
	    { name: 'Ana ' + tag });
	await page.goto(E.url + '/history');
	await page.waitForURL(u => u.pathname === '/login');
	tap.ok(new URL(page.url()).searchParams.get('next') === '/history',
	    'a page needing a login goes to /login?next=/history', page.url());
	tap.ok(await page.waitForSelector('[data-testid=login-form]').then(() => true, () => false),
	    'the login form is shown');
	tap.ok(!(await page.isVisible('[data-testid^=openid-]')),
	    'no OpenID button: no provider is enabled');
	await page.fill('input[name=email]', user.email);
	await page.fill('input[name=password]', 'wrong-' + user.password);
	await page.click('[data-testid=login-form] button[type=submit]');
	await page.waitForSelector('.toast.error');
	tap.ok(page.url().includes('/login'), 'a wrong password keeps the login page, with an error toast');
	w.reset();	/* the 401 of the wrong password was expected */
	await page.fill('input[name=password]', user.password);
	await page.click('[data-testid=login-form] button[type=submit]');
	await page.waitForURL(u => u.pathname === '/history');
	await settled(page);
	tap.ok(true, 'after the login the user lands back on /history');
	tap.ok(/History/.test(await page.textContent('.page-title')), 'the page title is shown');
	tap.ok(await page.isVisible('.page-desc'), 'with its description');
	const navHrefs = await page.$$eval('.nav a', as => as.map(a => a.getAttribute('href')));
	tap.ok(navHrefs.includes('/request') && navHrefs.includes('/history') && navHrefs.includes('/docs'),
	    'the sidebar has the lookup, history and docs pages', navHrefs.join(' '));
	tap.ok(!navHrefs.includes('/users'), 'and no users page: the user lacks users_view',
	    navHrefs.join(' '));

	// --- "/" then Enter ---------------------------------------------------
	await page.goto(E.url + '/');
	await settled(page);
	await page.click('h2');		/* nothing focused */
	await page.keyboard.press('/');
	const focused = await page.evaluate(() => document.activeElement &&
	    document.activeElement.getAttribute('data-lookup-input'));
	tap.ok(focused === 'page', '"/" focuses the lookup box', focused);
	await page.keyboard.type('203.0.113.' + (1 + Math.floor(Math.random() * 200)));
	const det = await page.textContent('.detected');
	tap.ok(/IPv4/.test(det), 'the kind is detected as the user types', det);
	await page.keyboard.press('Enter');
	await page.waitForURL(u => u.pathname === '/request');
	const q = new URL(page.url()).searchParams;
	tap.ok(q.get('kind') === 'IPV4' && /^203\.0\.113\./.test(q.get('data')),
	    'Enter submits: /request?data=…&kind=IPV4', page.url());
	await page.waitForSelector('[data-testid=lookup-status][data-state=done]', { timeout: 60000 });

	// --- a live lookup: cards arrive one by one --------------------------
	const data = `ui-${tag}.example.com`;
	const url = `${E.url}/request?data=${encodeURIComponent(data)}&kind=DOMAIN&sources=${ids.join(',')}`;
	w.reset();
	await page.goto(url);
	await page.waitForSelector(`[data-testid=result-card][data-source-id="${FAST}"]`, { timeout: 30000 });
	const early = await page.evaluate(slow => ({
		status: document.querySelector('[data-testid=lookup-status]').dataset.state || '',
		slowPending: !!document.querySelector(`[data-testid=group-pending] [data-source-id="${slow}"]`),
		cards: document.querySelectorAll('[data-testid=result-card]').length
	}), SLOW);
	tap.ok(early.status === '' && early.slowPending,
	    'the fast source\'s card is shown while the slow one is still waiting', early);
	await page.waitForSelector('[data-testid=lookup-status][data-state=done]', { timeout: 60000 });
	const res = await page.evaluate(() => {
		const g = id => [...document.querySelectorAll(`[data-testid=group-${id}] [data-testid=result-card]`)]
		    .map(c => c.dataset.sourceId);
		return { success: g('success'), error: g('error'), skipped: g('skipped'), pending: g('pending'),
		    progress: document.querySelector('[data-testid=progress]').textContent,
		    requestId: new URL(location.href).searchParams.get('requestId') };
	});
	tap.ok(res.success.includes(FAST) && res.success.includes(SLOW),
	    'both answering sources are among the answers', res);
	tap.ok(res.error.includes(BOOM), 'the failing source is among the errors', res);
	tap.ok(res.skipped.includes(IPV4), 'the IPv4-only source is skipped', res);
	tap.ok(res.pending.length === 0 && res.success.length + res.error.length + res.skipped.length === ids.length,
	    `every one of the ${ids.length} sources has its card`, res);
	tap.ok(res.progress === `${ids.length} / ${ids.length}`, 'the progress badge counts them', res.progress);
	tap.ok(/^[A-Za-z0-9_-]+$/.test(res.requestId || ''), 'the address gained the lookup\'s id', page.url());
	const skipReason = await page.textContent(`[data-source-id="${IPV4}"] .errors`);
	tap.ok(/not supported/i.test(skipReason), 'the skipped card says why', skipReason);
	const skipSummary = await page.textContent('[data-testid=skip-summary]');
	tap.ok(/Kind not supported/.test(skipSummary), 'the summary of skipped reasons lists it', skipSummary);
	const boomText = await page.textContent(`[data-source-id="${BOOM}"] .errors`);
	tap.ok(/no luck|error/i.test(boomText), 'the error card shows the error', boomText);
	const slowCard = `[data-source-id="${SLOW}"]`;
	tap.ok(await page.textContent(`${slowCard} .src-name`) === `${XSS} ${tag}`,
	    'the source named with HTML shows its name as text');
	tap.ok(await page.evaluate(() => !document.querySelector('img[src="x"]') &&
	    !document.querySelector('.json-tree script')), 'no element was made from that HTML');
	tap.ok((await page.textContent(`${slowCard} .json-tree`)).includes('<script>alert(2)</script>'),
	    'an answer holding HTML is shown as text in the JSON viewer');
	tap.ok(dialogs.length === 0, 'no script ran (no alert)', dialogs);
	const verdict = await page.getAttribute(`${slowCard} [data-testid=verdict]`, 'data-verdict');
	tap.is(verdict, 'suspicious', 'the card has the verdict badge of its result');
	const summary = await page.textContent('[data-testid=summary]');
	tap.ok(/Suspicious/.test(summary), 'the summary shows the overall verdict', summary);
	const elapsed = await page.getAttribute(`${slowCard} [data-testid=elapsed]`, 'class');
	tap.ok(/\berr\b/.test(elapsed), 'the elapsed-time badge of a 2-second source is red', elapsed);
	tap.is(await page.getAttribute(`[data-source-id="${FAST}"] [data-testid=cache]`, 'data-cache'),
	    'SAVED_TO_CACHE', 'the cached source\'s badge says it was cached');
	// JSON viewer: collapse, expand, copy.
	const fastTree = `[data-source-id="${FAST}"] .json-tree`;
	const before = await page.textContent(fastTree);
	await page.click(`${fastTree} > .j-node > .j-row > .j-toggle`);
	const after = await page.textContent(fastTree);
	tap.ok(before.includes('seen') && !(await page.isVisible(`${fastTree} .j-kids`)),
	    'the JSON viewer collapses a node', after);
	await page.click(`${fastTree} > .j-node > .j-row > .j-toggle`);
	tap.ok(await page.isVisible(`${fastTree} .j-kids`), 'and expands it again');
	// Downloads.
	const [dl] = await Promise.all([page.waitForEvent('download'),
		page.click('[data-testid=download-all]')]);
	const body = JSON.parse(await (await import('node:fs/promises')).readFile(await dl.path(), 'utf8'));
	tap.ok(dl.suggestedFilename().endsWith('.json') && body.results.length === ids.length &&
	    body.data === data, 'download as JSON gives every result', dl.suggestedFilename());
	tap.ok(w.clean(), 'the lookup page: no console error, no failed request', w.report());

	// --- the same lookup again: from the cache ---------------------------
	await page.goto(url);
	await page.waitForSelector('[data-testid=lookup-status][data-state=done]', { timeout: 60000 });
	const cache = `[data-source-id="${FAST}"] [data-testid=cache]`;
	tap.is(await page.getAttribute(cache, 'data-cache'), 'FROM_CACHE',
	    'run again, the cached source answers from the cache');
	const tip = await page.getAttribute(cache, 'title');
	tap.ok(/Cached .*\d/.test(tip) && /expires .*\d/.test(tip), 'its badge tells cached-at and expires-at', tip);
	tap.ok(/expires/.test(await page.textContent(`[data-source-id="${FAST}"] .card-meta`)),
	    'and the card shows them');

	// --- the history -----------------------------------------------------
	await page.click('[data-testid=history-link]');
	await page.waitForURL(u => u.pathname.startsWith('/history/'));
	await settled(page);
	const hid = decodeURIComponent(new URL(page.url()).pathname.split('/')[2]);
	tap.ok(await page.textContent('[data-testid=lookup-data]') === data,
	    'the lookup opens in the history with its indicator');
	const hist = await page.evaluate(() => [...document.querySelectorAll('[data-testid=result-card]')]
	    .map(c => c.dataset.sourceId + ':' + c.dataset.state));
	tap.ok(hist.length === ids.length && hist.includes(`${SLOW}:success`) && hist.includes(`${BOOM}:error`) &&
	    hist.includes(`${IPV4}:skipped`), 'rebuilt from the stored rows: every source, grouped', hist);
	tap.ok((await page.textContent('[data-testid=requester]')).includes('Ana ' + tag),
	    'the requester is named');
	tap.is(await page.getAttribute(`[data-source-id="${FAST}"] [data-testid=cache]`, 'data-cache'),
	    'FROM_CACHE', 'the stored cache state is shown');
	await page.goto(`${E.url}/history?q=${encodeURIComponent(data)}`);
	await settled(page);
	const rows = await page.$$eval('[data-testid=history-row]', as => as.map(a => a.getAttribute('href')));
	tap.ok(rows.length === 2 && rows.includes('/history/' + hid),
	    'the history search finds both lookups of the indicator', rows);
	await page.fill('[data-testid=history-search]', 'no-such-' + tag);
	await page.press('[data-testid=history-search]', 'Enter');
	await page.waitForSelector('.empty');
	tap.ok(new URL(page.url()).searchParams.get('q') === 'no-such-' + tag,
	    'a search that matches nothing says so, with its own address');

	tap.is(await page.getAttribute('.help-link', 'href'), '/docs#history',
	    'the header links to the documentation of the page');
	await page.click('.help-link');
	await page.waitForSelector('#history');
	tap.ok(await page.evaluate(() => {
		const r = document.getElementById('history').getBoundingClientRect();
		return location.pathname === '/docs' && r.top >= 0 && r.top < innerHeight;
	}), 'which opens at that section');
	const secs = await page.$$eval('section.doc[id]', x => x.map(e => e.id));
	tap.ok(['indicators', 'ignore-lists', 'lookups', 'history', 'sources', 'providers', 'users',
		'config', 'api'].every(i => secs.includes(i)), 'the docs page has every section', secs);
	tap.is(await page.$$eval('[data-testid=kinds] tbody tr', r => r.length), 11,
	    'the docs list the 11 indicator kinds with an example each');
	const apiDocs = await page.getAttribute('[data-testid=api-docs-link]', 'href');
	const ad = await fetch(E.url + apiDocs);
	tap.ok(ad.ok && /text\/html/.test(ad.headers.get('content-type')),
	    'the docs link to the OpenAPI documentation page, which answers', apiDocs);

	// --- notifications -----------------------------------------------------
	await page.goto(E.url + '/docs');
	await settled(page);
	await page.waitForSelector('.bell-count:not([hidden])');
	await page.click('[data-testid=bell]');
	const links = await page.$$eval('.bell-list a', as => as.map(a => [a.getAttribute('href'), a.textContent]));
	tap.ok(links.some(([href, text]) => href === `/sources/${IPV4}/edit` && text.includes(`UI ipv4 only ${tag}`)),
	    'the bell lists the source missing a secret, linking to its edit page', links);

	// --- theme ---------------------------------------------------------------
	const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
	await page.selectOption('[data-testid=theme]', 'dark');
	tap.is(await theme(), 'dark', 'the theme switches to dark');
	await page.reload();
	await settled(page);
	tap.is(await theme(), 'dark', 'and stays dark after a reload');
	await page.selectOption('[data-testid=theme]', 'system');
	const themeIs = async want => {
		await page.waitForFunction(v => document.documentElement.dataset.theme === v, want,
		    { timeout: 3000 }).catch(() => {});
		return theme();
	};
	await page.emulateMedia({ colorScheme: 'dark' });
	tap.is(await themeIs('dark'), 'dark', '"system" follows the OS: dark');
	await page.emulateMedia({ colorScheme: 'light' });
	tap.is(await themeIs('light'), 'light', 'and switches live when the OS turns light');

	// --- language ------------------------------------------------------------
	await page.selectOption('[data-testid=lang]', 'fr');
	await page.waitForFunction(() => document.documentElement.lang === 'fr' &&
	    /Accueil/.test(document.querySelector('.nav').textContent) &&
	    document.querySelector('#indicators h2'));
	await settled(page);
	const frNav = await page.textContent('.nav');
	tap.ok(/Accueil/.test(frNav) && /Historique/.test(frNav), 'in French the sidebar is translated', frNav);
	tap.ok(/Documentation/.test(await page.textContent('.page-title')) &&
	    /Types d'indicateurs/.test(await page.textContent('#indicators h2')), 'and so is the page');
	await page.reload();
	await settled(page);
	tap.ok(/Accueil/.test(await page.textContent('.nav')), 'French stays after a reload');
	await page.selectOption('[data-testid=lang]', 'en');
	await page.waitForFunction(() => document.documentElement.lang === 'en');

	// --- every core page: no console error, no failed request ---------------
	const pages = ['/', `/request?data=${encodeURIComponent(data)}&kind=DOMAIN&sources=${FAST}`,
		'/history', `/history/${hid}`, '/docs', '/no/such/page'];
	for (const p of pages) {
		w.reset();
		await page.goto(E.url + p);
		await settled(page);
		if (p.startsWith('/request'))
			await page.waitForSelector('[data-testid=lookup-status][data-state=done]', { timeout: 60000 });
		if (p === '/')
			await page.waitForSelector('[data-testid=runner-python] [data-status]');
		await page.waitForTimeout(300);
		tap.ok(w.clean(), `${p}: no console error, no failed request`, w.report());
	}
	tap.ok(await page.isVisible('[data-testid=not-found]'), 'an unknown address shows the not-found page');
	const home = await page.goto(E.url + '/');
	await settled(page);
	await page.waitForSelector('[data-testid=runner-python] [data-status]');
	tap.ok(['SERVING', 'NOT_SERVING', 'UNKNOWN', 'UNREACHABLE'].includes(
	    await page.getAttribute('[data-testid=runner-python] [data-status]', 'data-status')),
	    'the home page\'s runner cards are fed by the status stream');
	tap.ok(await page.$$eval('.charts canvas', c => c.length) === 4, 'the home page has four charts');
	tap.ok(home.ok(), 'home answers 200');
	w.reset();
	w.allow.push(/\/api\/v1\/requests\/nosuch/);
	await page.goto(E.url + '/history/nosuch' + tag);
	await settled(page);
	tap.ok(await page.isVisible('[data-testid=not-found]') &&
	    /lookup does not exist/.test(await page.textContent('[data-testid=not-found] h2')),
	    'an unknown lookup has its own not-found page');
	tap.ok(w.clean(), 'and nothing else failed', w.report());

	// --- delivery: versioned assets are cached for good ---------------------
	const v = await fetch(E.url + '/app/v1/main.js');
	tap.ok(v.ok && /max-age=\d{7,}/.test(v.headers.get('cache-control') || ''),
	    '/app/v…/ assets carry long-cache headers', v.headers.get('cache-control'));
	const d = await fetch(E.url + '/app/main.js');
	tap.ok(/no-cache/.test(d.headers.get('cache-control') || ''),
	    'unversioned /app/ assets are revalidated', d.headers.get('cache-control'));
	const vmod = await page.evaluate(async () => {
		const m = await import('/app/v9.9-test/components/results.js');
		return typeof m.resultsView === 'function' &&
		    performance.getEntriesByType('resource').some(e => e.name.endsWith('/app/v9.9-test/dom.js'));
	}).catch(e => String(e));
	tap.ok(vmod === true, 'modules load under a versioned prefix, their imports too', vmod);
	const deep = await fetch(E.url + '/sources/abc/edit');
	tap.ok(deep.ok && /text\/html/.test(deep.headers.get('content-type')),
	    'a deep link is answered with the app');

	// --- an expired session: back to login, then back to the page -----------
	await page.goto(E.url + '/history');
	await settled(page);
	await page.evaluate(() => {
		const b64 = o => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
		localStorage.setItem('iocagg.jwt', b64({ alg: 'HS256', typ: 'JWT' }) + '.' +
		    b64({ sub: 'x', exp: Math.floor(Date.now() / 1000) + 3600 }) + '.bad');
	});
	w.reset();
	w.allow.push(/\/api\/v1\//);	/* the 401s are the point */
	await page.click('.nav a[href="/docs"]');
	await page.waitForURL(u => u.pathname === '/login');
	tap.ok(new URL(page.url()).searchParams.get('next') === '/docs',
	    'a session the server refuses leads to /login?next=<the page>', page.url());
	tap.ok(await page.isVisible('.toast.error'), 'with a toast saying the session expired');
	await page.fill('input[name=email]', user.email);
	await page.fill('input[name=password]', user.password);
	await page.click('[data-testid=login-form] button[type=submit]');
	await page.waitForURL(u => u.pathname === '/docs');
	await page.waitForSelector('[data-testid=kinds]');
	tap.ok(true, 'logging in again returns to that page');
	w.allow.length = 0;

	// A session whose JWT has run out: straight to the login page.
	await page.evaluate(() => {
		const b64 = o => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
		localStorage.setItem('iocagg.jwt', b64({ alg: 'HS256', typ: 'JWT' }) + '.' +
		    b64({ sub: 'x', roles: [], exp: Math.floor(Date.now() / 1000) - 60 }) + '.old');
	});
	w.reset();
	await page.goto(E.url + '/history?q=x');
	await page.waitForURL(u => u.pathname === '/login');
	tap.ok(new URL(page.url()).searchParams.get('next') === '/history?q=x' &&
	    await page.isVisible('.toast.error') && w.clean(),
	    'an expired JWT goes to the login page without asking the API, with a toast', w.report());
	await page.fill('input[name=email]', user.email);
	await page.fill('input[name=password]', user.password);
	await page.click('[data-testid=login-form] button[type=submit]');
	await page.waitForURL(u => u.pathname === '/history' && u.search === '?q=x');
	tap.ok(true, 'and back to /history?q=x after the login');

	// --- role-aware: a user who may only read the history --------------------
	{
		const reader = makeUser(E, ['request_view']);
		const ctx2 = await b.browser.newContext();
		const p2 = await ctx2.newPage();
		const w2 = watch(p2);
		await login(p2, E.url, reader.email, reader.password);
		const hrefs = await p2.$$eval('.nav a', as => as.map(a => a.getAttribute('href')));
		tap.ok(hrefs.includes('/history') && !hrefs.includes('/request') && !hrefs.includes('/sources'),
		    'a user with request_view only sees the history, not the lookup or the sources', hrefs);
		tap.ok(!(await p2.isVisible('[data-testid=lookup-form]')) && !(await p2.isVisible('.quick-lookup')),
		    'and no lookup box on the home page or in the header');
		await p2.goto(E.url + '/history');
		await settled(p2);
		tap.ok(!(await p2.isVisible('a[href="/request"]')), 'nor a "new lookup" button in the history');
		await p2.goto(E.url + '/request?data=example.com');
		await settled(p2);
		tap.ok(await p2.isVisible('[data-testid=forbidden]'), '/request by its address says "not allowed"');
		tap.ok(w2.clean(), 'no console error, no failed request for that user', w2.report());
		await ctx2.close();
	}

	// --- bad input ---------------------------------------------------------------
	w.reset();
	await page.goto(E.url + '/request');
	await settled(page);
	await page.fill('[data-testid=lookup-input]', 'not an indicator');
	await page.press('[data-testid=lookup-input]', 'Enter');
	const ferr = await page.textContent('[data-testid=lookup-form] .field-error');
	tap.ok(/could not be detected/.test(ferr) && new URL(page.url()).search === '',
	    'a value of no kind is refused next to the field, before sending', ferr);
	await page.uncheck('[data-testid=lookup-form] input[name=auto]');
	await page.selectOption('[data-testid=lookup-kind]', 'IPV4');
	await page.fill('[data-testid=lookup-input]', 'example.com');
	await page.press('[data-testid=lookup-input]', 'Enter');
	tap.ok(/not a valid IPv4/.test(await page.textContent('[data-testid=lookup-form] .field-error')),
	    'a value that is not of the chosen kind is refused too');
	tap.ok(w.clean(), 'nothing was sent', w.report());
	await page.check('[data-testid=lookup-form] input[name=auto]');
	await page.click('.sources-details summary');
	await page.check(`.source-picker input[value="${FAST}"]`);
	await page.fill('[data-testid=lookup-input]', data);
	await page.press('[data-testid=lookup-input]', 'Enter');
	await page.waitForSelector('[data-testid=lookup-status][data-state=done]', { timeout: 60000 });
	const picked = new URL(page.url()).searchParams.get('sources');
	const cards = await page.$$eval('[data-testid=result-card]', c => c.map(x => x.dataset.sourceId));
	tap.ok(picked === FAST && cards.length === 1 && cards[0] === FAST,
	    'the source picker limits the lookup to the chosen source', { picked, cards });
	w.allow.push(/\/api\/v1\/requests\/execute\/sse/);
	await page.goto(E.url + '/request?data=example.com&kind=IPV4');
	await page.waitForSelector('[data-testid=lookup-status][data-state=failed]');
	const terr = await page.textContent('.toast.error');
	tap.ok(/example\.com|IPV4|valid/i.test(terr), 'by its address, the API\'s refusal is a readable toast', terr);
	w.allow.length = 0;

	// --- OpenID: buttons for enabled providers, the landing with #token -------
	{
		const ctx3 = await b.browser.newContext();
		const p3 = await ctx3.newPage();
		const w3 = watch(p3);
		await p3.route('**/api/v1/auth', route => route.fulfill({ status: 200,
		    contentType: 'application/json', body: JSON.stringify([
			{ enabled: true, kind: { kind: 'openId', content: { name: 'google' } } },
			{ enabled: false, kind: { kind: 'openId', content: { name: 'microsoft' } } },
			{ enabled: true, kind: { kind: 'password' } }]) }));
		await p3.goto(E.url + '/login?next=' + encodeURIComponent('/history?q=a'));
		await p3.waitForSelector('[data-testid=login-form]');
		const oid = await p3.$$eval('[data-testid^=openid-]', as => as.map(a => a.getAttribute('href')));
		tap.ok(oid.length === 1 && oid[0] === '/api/v1/auth/openid/google?next=' +
		    encodeURIComponent('/history?q=a'), 'only the enabled OpenID provider has a button, with next', oid);
		await p3.unroute('**/api/v1/auth');
		const lr = await apiClient(E, '').post('/auth/login', { email: user.email, password: user.password });
		await p3.goto(E.url + '/history?q=a#token=' + (lr.data && lr.data.jwtToken));
		await p3.waitForSelector('.shell [data-testid=history-search]');
		tap.ok(new URL(p3.url()).hash === '' && await p3.evaluate(() => !!localStorage.getItem('iocagg.jwt')),
		    'the OpenID landing (#token=) starts the session and leaves the token out of the address');
		await p3.evaluate(() => localStorage.clear());
		await p3.goto(E.url + '/auth?disabled=true');
		await p3.waitForURL(u => u.pathname === '/login');
		tap.ok(/disabled/.test(await p3.textContent('.toast.error')),
		    '/auth?disabled=true says the account is disabled');
		tap.ok(w3.clean(), 'no console error, no failed request', w3.report());
		await ctx3.close();
	}

	// --- a phone ---------------------------------------------------------------
	await page.setViewportSize({ width: 390, height: 844 });
	w.reset();
	await page.goto(url);
	await page.waitForSelector('[data-testid=lookup-status][data-state=done]', { timeout: 60000 });
	const wide = await page.evaluate(() => document.documentElement.scrollWidth);
	tap.ok(wide <= 390, 'at 390 px the lookup page does not scroll sideways', wide);
	const rid = new URL(page.url()).searchParams.get('requestId');
	await page.reload();
	await page.waitForURL(u => u.pathname === '/history/' + rid);
	await settled(page);
	tap.ok(await page.textContent('[data-testid=lookup-data]') === data,
	    'reloading a finished lookup shows it from the history, without asking the sources again');
	await page.goto(url);
	await page.waitForSelector('[data-testid=lookup-status][data-state=done]', { timeout: 60000 });
	tap.ok(!(await page.isVisible('.sidebar .nav')) || (await page.evaluate(() =>
	    document.querySelector('.sidebar').getBoundingClientRect().right <= 0)),
	    'the sidebar is tucked away');
	await page.click('.menu-btn');
	await page.waitForFunction(() => document.querySelector('.sidebar').getBoundingClientRect().left >= 0);
	tap.ok(true, 'the menu button opens it');
	for (const p of ['/', '/history', '/docs']) {
		await page.goto(E.url + p);
		await settled(page);
		await page.waitForTimeout(200);
		const sw = await page.evaluate(() => document.documentElement.scrollWidth);
		tap.ok(sw <= 390, `${p} fits 390 px`, sw);
	}
	tap.ok(w.clean(), 'at phone width: no console error, no failed request', w.report());

	// --- logged out: login and signup pages ----------------------------------
	await page.setViewportSize({ width: 1280, height: 900 });
	await page.goto(E.url + '/logout');
	await page.waitForURL(u => u.pathname === '/login');
	tap.ok(await page.evaluate(() => !localStorage.getItem('iocagg.jwt')), 'logout drops the session');
	w.reset();
	await page.goto(E.url + '/signup');
	await settled(page);
	await page.click('button[type=submit]');
	tap.ok((await page.$$eval('.field-error:not([hidden])', e => e.length)) === 3,
	    'the signup form checks its fields before sending');
	await page.fill('input[name=name]', 'New ' + tag);
	await page.fill('input[name=email]', `ui-new-${tag}@example.org`);
	await page.fill('input[name=password]', 'short');
	await page.click('button[type=submit]');
	tap.ok(/8/.test(await page.textContent('[data-field=password] .field-error')),
	    'a short password is refused next to its field');
	await page.fill('input[name=password]', 'long enough ' + tag);
	await page.click('button[type=submit]');
	await page.waitForURL(u => u.pathname === '/login');
	tap.ok(/administrator/.test(await page.textContent('.toast')),
	    'signing up says an administrator has to enable the account');
	tap.ok(w.clean(), 'login and signup: no console error, no failed request', w.report());
	tap.ok(dialogs.length === 0, 'no dialog was ever opened by a script', dialogs);
} catch (e) {
	tap.ok(false, 'the test ran to its end', e && e.stack);
} finally {
	for (const id of created)
		await api.del('/sources/' + id).catch(() => {});
	await b.close();
}
tap.done();
