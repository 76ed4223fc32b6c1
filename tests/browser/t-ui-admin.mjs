// tests/browser/t-ui-admin.mjs -- the management pages in real Chromium:
// create, edit and delete a Python source (tested from its editor), a
// provider and an ignore list whose CIDR entry then makes a lookup skip
// the source; a secret (masked, revealed) and an API token (shown once);
// a user's roles; every management page with no console error and no
// failed request; names that are HTML render as text; buttons hidden
// from a user without the role.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tap, env, needBrowser, launch, watch, login, apiClient, makeUser,
    letters, settled } from './lib.mjs';

const E = env();
await needBrowser(E);
const api = apiClient(E);
const XSS = '<img src=x onerror=alert(1)>';
const RUN = letters(6);

const editor = makeUser(E, ['sources_view', 'sources_edit', 'secrets_view',
	'secrets_edit', 'users_view', 'users_edit', 'request_view', 'request_create',
	'config_edit'], { name: 'Editor ' + RUN });
const viewer = makeUser(E, ['sources_view'], { name: 'Viewer ' + RUN });
const target = makeUser(E, ['request_view'], { name: 'Target ' + RUN });

const b = await launch();
const page = b.page;
// The not-found checks ask for entities that do not exist on purpose.
const w = watch(page, { allow: [/\/slugs\/no-such-/, /\/users\/zzzzzzzzzzzz$/] });
let dialogs = 0;
page.on('dialog', d => {
	dialogs++;
	d.dismiss().catch(() => {});
});

const made = { sources: [], providers: [], lists: [], secrets: [] };

async function go(p) {
	await page.goto(E.url + p);
	await settled(page);
}

// Click the OK button of the app's confirm dialog.
async function confirmOk() {
	await page.click('dialog.dialog button[value=ok]');
}

async function setCode(code) {
	await page.waitForSelector('.code-editor.cm-ready .CodeMirror');
	await page.evaluate(c => document.querySelector('.code-editor .CodeMirror')
	    .CodeMirror.setValue(c), code);
}

// No element made from a name that is HTML, and no alert.
async function noMarkup(what) {
	const imgs = await page.locator('main img[src="x"]').count();
	tap.ok(imgs === 0 && dialogs === 0, `${what}: an HTML name is shown as text`,
	    { imgs, dialogs });
}

// SQL on the test database (the background task runs have no write API).
function psql(sql) {
	const m = /^\s*database_url\s*=\s*"?([^"\n]*)"?/m.exec(readFileSync(E.conf, 'utf8'));
	return execFileSync('psql', ['-Atq', '-v', 'ON_ERROR_STOP=1', '-d', m[1], '-c', sql],
	    { encoding: 'utf8' }).trim();
}

async function lookupErrors(sid, data, kind) {
	const r = await api.get(`/requests/execute?data=${encodeURIComponent(data)}&kind=${kind}` +
	    `&sourceIds=${sid}`);
	const x = (Array.isArray(r.data) ? r.data : []).find(e => e.source && e.source.id === sid);
	return { r, x, kinds: x ? (x.errors || []).map(e => e.kind) : null };
}

try {
	await tap.step('log in as a user with the management roles', async () => {
		await login(page, E.url, editor.email, editor.password);
	});

	// --- a provider -----------------------------------------------------------
	const provName = XSS + ' prov ' + RUN;
	let prov = null;
	await tap.step('create a provider whose name is HTML', async () => {
		await go('/providers/new');
		await page.fill('[data-testid=provider-form] input[name=name]', provName);
		await page.fill('[data-testid=provider-form] textarea[name=description]', 'made by the UI test');
		await page.fill('[data-testid=provider-form] input[name=url]', 'https://provider.example.org/');
		await page.fill('[data-testid=provider-form] input[name=tags]', 'ui, test');
		await page.click('[data-testid=save]');
		await page.waitForURL(u => /^\/providers\/[a-z-]+$/.test(u.pathname) &&
		    u.pathname !== '/providers/new');
		await settled(page);
		const shown = await page.textContent('[data-testid=entity-name]');
		const r = await api.get('/providers');
		prov = (r.data || []).find(p => p.name === provName);
		if (prov)
			made.providers.push(prov.id);
		return shown === provName && !!prov && prov.url === 'https://provider.example.org/' &&
		    JSON.stringify(prov.tags) === '["ui","test"]';
	});
	await noMarkup('provider page');
	await tap.step('the provider form checks the URL before sending', async () => {
		await go('/providers/new');
		w.reset();
		await page.fill('[data-testid=provider-form] input[name=name]', 'Bad ' + RUN);
		await page.fill('[data-testid=provider-form] input[name=url]', 'not a url');
		await page.click('[data-testid=save]');
		const err = await page.locator('[data-field=url] .field-error').textContent();
		return err.trim() !== '' && page.url().endsWith('/providers/new') && w.failed.length === 0;
	});
	await tap.step('a field the API refuses is shown next to the field', async () => {
		// A name without a letter makes no slug: the API's 422 names the field.
		await go('/providers/new');
		await page.fill('[data-testid=provider-form] input[name=name]', '12345');
		await page.fill('[data-testid=provider-form] input[name=url]', 'https://x.example.org/');
		await page.click('[data-testid=save]');
		await page.waitForSelector('[data-field=name] .field-error:not([hidden])');
		const t = await page.locator('[data-field=name] .field-error').textContent();
		w.reset();
		return /name/i.test(t);
	});

	await tap.step('a name already taken (409) is shown next to the name', async () => {
		await go('/providers/new');
		await page.fill('[data-testid=provider-form] input[name=name]', provName);
		await page.fill('[data-testid=provider-form] input[name=url]', 'https://other.example.org/');
		await page.click('[data-testid=save]');
		await page.waitForSelector('[data-field=name] .field-error:not([hidden])');
		const n = ((await api.get('/providers')).data || []).filter(p => p.name === provName).length;
		w.reset();
		return n === 1 && /\/providers\/new$/.test(page.url());
	});

	// --- a Python source, tested from the editor --------------------------------
	const srcName = 'UI Py ' + RUN;
	let src = null;
	const CODE = 'import iocagg\n\ndef fetch_data(data, kind):\n' +
	    '    return {"seen": data, "kind": kind, "mark": "' + RUN + '"}\n';
	await tap.step('the new source form starts from the Python template', async () => {
		await go('/sources/new');
		await page.waitForSelector('.code-editor.cm-ready .CodeMirror');
		const code = await page.evaluate(() =>
		    document.querySelector('.code-editor .CodeMirror').CodeMirror.getValue());
		const hl = await page.locator('.CodeMirror .cm-keyword').count();
		return /def fetch_data/.test(code) && hl > 0;
	});
	await tap.step('"test with an indicator" runs the unsaved code', async () => {
		await setCode(CODE);
		await page.fill('[data-testid=test-data]', '198.51.100.7');
		await page.selectOption('[data-testid=test-kind]', 'IPV4');
		await page.click('[data-testid=test-run]');
		await page.waitForSelector('[data-testid=test-status]');
		const status = await page.textContent('[data-testid=test-status]');
		const out = await page.textContent('[data-testid=test-result]');
		return /success/.test(status) && out.includes(RUN) && out.includes('198.51.100.7');
	});
	await tap.step('a failing test shows the error', async () => {
		await setCode('def fetch_data(data, kind):\n    raise ValueError("ui-" + kind)\n');
		await page.click('[data-testid=test-run]');
		await page.waitForFunction(() => {
			const s = document.querySelector('[data-testid=test-status]');
			return s && /error/.test(s.textContent);
		});
		const out = await page.textContent('[data-testid=test-result]');
		return out.includes('ui-IPV4') && out.includes('INTERNAL_SERVER_ERROR');
	});
	await tap.step('create the source', async () => {
		await setCode(CODE);
		await page.fill('[data-testid=source-form] input[name=name]', srcName);
		await page.fill('[data-testid=source-form] input[name=url]', 'https://source.example.org/docs');
		await page.selectOption('[data-testid=source-form] select[name=providerId]', prov.id);
		await page.click('[data-testid=save]');
		await page.waitForURL(u => /^\/sources\/[a-z-]+$/.test(u.pathname) &&
		    u.pathname !== '/sources/new');
		await settled(page);
		const r = await api.get('/sources');
		src = (r.data || []).find(s => s.name === srcName);
		if (src)
			made.sources.push(src.id);
		return !!src && src.kind === 'PYTHON' && src.sourceCode === CODE &&
		    src.providerId === prov.id && src.supportedIndicators.length === 11 &&
		    (await page.textContent('[data-testid=entity-name]')) === srcName;
	});
	await tap.step('the source form refuses an interval below 1 before sending', async () => {
		await go('/sources/' + src.slug + '/edit');
		w.reset();
		await page.check('[data-testid=source-form] input[name=cacheEnabled]');
		await page.fill('[data-testid=source-form] input[name=cacheInterval]', '0');
		await page.click('[data-testid=save]');
		const err = await page.locator('[data-field=cacheInterval] .field-error').textContent();
		return err.trim() !== '' && w.failed.length === 0 && /\/edit$/.test(page.url());
	});
	await tap.step('edit the source', async () => {
		await page.fill('[data-testid=source-form] input[name=cacheInterval]', '120');
		await page.fill('[data-testid=source-form] textarea[name=description]', 'edited ' + RUN);
		await page.uncheck('[data-dis=IPV6]').catch(() => {});
		await page.check('[data-dis=SHA1]');
		await page.click('[data-testid=save]');
		await page.waitForURL(u => !u.pathname.endsWith('/edit'));
		await settled(page);
		const r = await api.get('/sources/' + src.id);
		return r.status === 200 && r.data.description === 'edited ' + RUN &&
		    r.data.cacheEnabled === true && r.data.cacheInterval === 120 &&
		    JSON.stringify(r.data.disabledIndicators) === '["SHA1"]' &&
		    r.data.sourceCode === CODE;
	});
	await tap.step('the source page shows its code read-only and its kinds', async () => {
		await page.waitForSelector('.code-editor .CodeMirror');
		const code = await page.evaluate(() =>
		    document.querySelector('.code-editor .CodeMirror').CodeMirror.getValue());
		const state = await page.getAttribute('[data-kind=SHA1]', 'data-state');
		return code === CODE && state === 'disabled';
	});
	await tap.step('the source page shows the last background task run', async () => {
		const has = (await api.get('/sources/' + src.id)).data;
		if (!('lastTask' in has)) {
			tap.diag('no lastTask in the source representation yet');
			return true;
		}
		psql(`INSERT INTO task_runs (source_id, task, started_at, ended_at, status, error)
		    VALUES ('${src.id}', 'background', now() AT TIME ZONE 'utc' - interval '2 minutes',
		    now() AT TIME ZONE 'utc' - interval '1 minute', 'OK', NULL),
		    ('${src.id}', 'background', now() AT TIME ZONE 'utc' - interval '30 seconds',
		    now() AT TIME ZONE 'utc', 'ERROR', 'feed-${RUN} answered 500')`);
		await go('/sources/' + src.slug);
		await page.waitForSelector('[data-testid=task-runs] table');
		const last = await page.textContent('[data-testid=last-task]');
		const runs = await page.locator('[data-testid=task-runs] tbody tr').count();
		const st = await page.getAttribute('[data-testid=last-task] [data-status]', 'data-status');
		return last.includes('feed-' + RUN + ' answered 500') && st === 'ERROR' && runs === 2;
	});
	await tap.step('a lookup of 198.51.100.7 reaches the source (before the list)', async () => {
		const { x, kinds } = await lookupErrors(src.id, '198.51.100.7', 'IPV4');
		return !!x && kinds.length === 0 && x.data && x.data.mark === RUN;
	});

	await tap.step('a built-in (SYSTEM) source is edited without a code editor', async () => {
		const r = await api.post('/sources', {
			name: 'UI Sys ' + RUN, description: '', url: 'https://sys.example.org/{data}',
			tags: [], enabled: true, supportedIndicators: ['DOMAIN'], disabledIndicators: [],
			taskEnabled: false, config: [], configValues: [], limitEnabled: false,
			cacheEnabled: false, kind: 'SYSTEM', builtin: 'http_json'
		});
		if (r.status !== 201)
			throw new Error(JSON.stringify(r.data));
		made.sources.push(r.data.id);
		await go('/sources/' + r.data.slug + '/edit');
		const editors = await page.locator('.code-editor').count();
		const kindOff = await page.isDisabled('[data-testid=source-form] select[name=kind]');
		await page.fill('[data-testid=source-form] textarea[name=description]', 'sys ' + RUN);
		await page.click('[data-testid=save]');
		await page.waitForURL(u => !u.pathname.endsWith('/edit'));
		await settled(page);
		const s = (await api.get('/sources/' + r.data.id)).data;
		return editors === 0 && kindOff && s.description === 'sys ' + RUN &&
		    s.kind === 'SYSTEM' && s.builtin === 'http_json' &&
		    JSON.stringify(s.supportedIndicators) === '["DOMAIN"]';
	});

	// --- an ignore list with a CIDR entry ------------------------------------
	const listName = XSS + ' list ' + RUN;
	let list = null;
	await tap.step('create an ignore list from pasted lines, linked to the source', async () => {
		await go('/lists/new');
		await page.fill('[data-testid=list-form] input[name=name]', listName);
		await page.fill('[data-testid=bulk]', '# a comment\n198.51.100.0/24\n*.evil-' + RUN +
		    '.example\nexact-' + RUN + '.example\n2001:db8::/32\nnot an entry here\n');
		await page.click('[data-testid=bulk-add]');
		const count = await page.textContent('[data-testid=entry-count]');
		await page.check(`[data-picker=sources] input[value="${src.id}"]`);
		await page.click('[data-testid=save]');
		await page.waitForURL(u => /^\/lists\/[a-z-]+$/.test(u.pathname) &&
		    u.pathname !== '/lists/new');
		await settled(page);
		const r = await api.get('/ignoreLists');
		list = (r.data || []).find(l => l.name === listName);
		if (list)
			made.lists.push(list.id);
		const ents = list ? (await api.get('/ignoreLists/' + list.id + '/entries')).data : [];
		const have = ents.map(e => e.indicatorKind + ' ' + e.data).sort();
		const want = ['DOMAIN *.evil-' + RUN + '.example', 'DOMAIN exact-' + RUN + '.example',
			'IPV4 198.51.100.0/24', 'IPV6 2001:db8::/32'].sort();
		if (!/4/.test(count) || !list || JSON.stringify(have) !== JSON.stringify(want))
			throw new Error(JSON.stringify({ count, list: !!list, have, want }));
	});
	await noMarkup('ignore list page');
	await tap.step('the list page shows its entries and the linked source', async () => {
		await page.waitForSelector('[data-testid=entries] table');
		const t = await page.textContent('main');
		return t.includes('198.51.100.0/24') && t.includes(srcName);
	});
	await tap.step('the CIDR entry makes the lookup skip the source', async () => {
		const { x, kinds } = await lookupErrors(src.id, '198.51.100.7', 'IPV4');
		const other = await lookupErrors(src.id, '203.0.113.9', 'IPV4');
		return !!x && kinds.includes('WITHIN_IGNORE_LIST') && !!other.kinds &&
		    !other.kinds.includes('WITHIN_IGNORE_LIST');
	});
	await tap.step('an entry the API refuses is marked in the table', async () => {
		await go('/lists/' + list.slug + '/edit');
		await page.click('[data-testid=add-entry]');
		await page.locator('tr.entry .entry-data').last().fill('198.51.100.0/99');
		await page.locator('tr.entry .entry-kind').last().selectOption('IPV4');
		await page.click('[data-testid=save]');
		await page.waitForSelector('tr.entry .entry-data[aria-invalid=true]');
		const bad = await page.$$eval('tr.entry .entry-data[aria-invalid=true]', es => es.map(e => e.value));
		const n = ((await api.get('/ignoreLists/' + list.id + '/entries')).data || []).length;
		w.reset();
		return JSON.stringify(bad) === '["198.51.100.0/99"]' && n === 4 && /\/edit$/.test(page.url());
	});
	await tap.step('edit the list: one entry removed, a row added by hand', async () => {
		await go('/lists/' + list.slug + '/edit');
		// Inputs hold their value as a property: find the row by it.
		const i = await page.$$eval('tr.entry .entry-data', es =>
		    es.findIndex(e => e.value === '2001:db8::/32'));
		if (i < 0)
			throw new Error('no 2001:db8::/32 row');
		await page.locator('tr.entry').nth(i).locator('button').click();
		await page.click('[data-testid=add-entry]');
		await page.locator('tr.entry .entry-data').last().fill('192.0.2.55');
		await page.click('[data-testid=save]');
		await page.waitForURL(u => !u.pathname.endsWith('/edit'));
		await settled(page);
		const ents = (await api.get('/ignoreLists/' + list.id + '/entries')).data || [];
		const d = ents.map(e => e.data);
		return ents.length === 4 && d.includes('192.0.2.55') && !d.includes('2001:db8::/32') &&
		    ents.find(e => e.data === '192.0.2.55').indicatorKind === 'IPV4';
	});

	// --- a secret and an API token --------------------------------------------
	const secName = 'UI_' + RUN.toUpperCase();
	const secValue = 'v-' + letters(16);
	await tap.step('create a secret: listed masked, revealed on demand', async () => {
		await go('/config');
		await page.fill('[data-testid=secret-form] input[name=name]', secName);
		await page.fill('[data-testid=secret-form] input[name=value]', secValue);
		await page.click('[data-testid=secret-save]');
		const row = page.locator('[data-testid=secrets] tr', { hasText: secName });
		await row.waitFor();
		const before = await page.textContent('main');
		await row.locator('[data-testid=reveal]').click();
		await page.waitForFunction(v => [...document.querySelectorAll('[data-testid=secret-value]')]
		    .some(e => e.textContent === v), secValue);
		const r = await api.get('/secrets');
		const s = (r.data || []).find(x => x.name === secName);
		if (s)
			made.secrets.push(s.id);
		return !!s && !before.includes(secValue);
	});
	let credential = null;
	await tap.step('create an API token: shown once, and it works', async () => {
		await page.fill('[data-testid=token-form] input[name=note]', 'ui ' + RUN);
		await page.click('[data-testid=token-create]');
		await page.waitForSelector('[data-testid=token-value]');
		credential = (await page.textContent('[data-testid=token-value]')).trim();
		const me = await apiClient(E, 'Token ' + credential).get('/users/me');
		return /^[0-9a-z]{12}_[A-Za-z0-9]{32}$/.test(credential) && me.status === 200 &&
		    me.data.email === editor.email;
	});
	await tap.step('the token is not shown again', async () => {
		await go('/config');
		await page.waitForSelector('[data-testid=tokens] table');
		const t = await page.textContent('main');
		return t.includes('ui ' + RUN) && !t.includes(credential.split('_')[1]) &&
		    (await page.locator('[data-testid=token-value]').count()) === 0;
	});

	await tap.step('the server config editor saves a typed value, then resets it', async () => {
		// proxy_type only matters with proxy_enabled, which stays off.
		const before = (await api.get('/config')).data.proxy_type;
		if (before.value !== null)
			return tap.diag('proxy_type is overridden already; not touched') || true;
		await go('/config');
		await page.waitForSelector('[data-testid=config-form]');
		await page.fill('[data-testid=config-form] input[name=proxy_type]', 'socks5');
		await page.click('[data-testid=config-save]');
		await page.waitForSelector('[data-key=proxy_type] [data-reset=proxy_type]');
		const mid = (await api.get('/config')).data.proxy_type;
		await page.click('[data-reset=proxy_type]');
		await confirmOk();
		await page.waitForSelector('[data-key=proxy_type] [data-reset=proxy_type]', { state: 'detached' });
		const after = (await api.get('/config')).data.proxy_type;
		const shown = await page.inputValue('[data-testid=config-form] input[name=proxy_type]');
		return mid.value === 'socks5' && after.value === null && shown === after.defaultValue;
	});
	await tap.step('the config editor refuses a bad value next to its field', async () => {
		await page.fill('[data-testid=config-form] input[name=proxy_type]', 'carrier-pigeon');
		await page.click('[data-testid=config-save]');
		await page.waitForSelector('[data-key=proxy_type] .field-error:not([hidden])');
		const after = (await api.get('/config')).data.proxy_type;
		w.reset();
		return after.value === null;
	});

	await tap.step('regenerate the token: the new secret is shown once, the old one stops', async () => {
		const row = page.locator('[data-testid=tokens] tr', { hasText: 'ui ' + RUN });
		await row.getByRole('button', { name: 'Regenerate' }).click();
		await confirmOk();
		await page.waitForSelector('[data-testid=token-value]');
		const fresh = (await page.textContent('[data-testid=token-value]')).trim();
		const old = await apiClient(E, 'Token ' + credential).get('/users/me');
		const now = await apiClient(E, 'Token ' + fresh).get('/users/me');
		w.reset();
		return fresh !== credential && fresh.split('_')[0] === credential.split('_')[0] &&
		    old.status === 401 && now.status === 200;
	});

	// --- a user's roles ----------------------------------------------------------
	const tu = ((await api.get('/users')).data || []).map(x => x.user)
	    .find(u => u.email === target.email);
	await tap.step('change a user\'s roles', async () => {
		await go('/users/' + tu.id + '/edit');
		const adminBox = await page.isDisabled('input[data-role=admin]');
		await page.check('input[data-role=sources_view]');
		await page.uncheck('input[data-role=request_view]');
		await page.click('[data-testid=save]');
		await page.waitForURL(u => u.pathname === '/users/' + tu.id);
		await settled(page);
		const r = await api.get('/users/' + tu.id);
		const shown = await page.locator('[data-testid=roles] [data-role]').allTextContents();
		return adminBox && JSON.stringify(r.data.roles) === '["sources_view"]' &&
		    JSON.stringify(shown) === '["sources_view"]';
	});
	await tap.step('the user page pages through the log', async () => {
		await page.waitForSelector('[data-testid=logs] table, [data-testid=logs] .empty');
		return true;
	});

	// --- every page: no console error, no failed request ----------------------
	const of = (base, o, key = 'slug') => o ? [base + '/' + o[key], base + '/' + o[key] + '/edit'] : [];
	const pages = ['/sources', '/sources/new', ...of('/sources', src),
		'/providers', '/providers/new', ...of('/providers', prov),
		'/lists', '/lists/new', ...of('/lists', list),
		'/users', ...of('/users', tu, 'id'), '/config'];
	for (const p of pages) {
		await tap.step(`${p}: no console error, no failed request`, async () => {
			w.reset();
			await go(p);
			await page.waitForLoadState('networkidle');
			if (!w.clean())
				throw new Error(w.report());
			return true;
		});
	}
	await noMarkup('list pages');
	for (const [p, entity] of [['/sources/no-such-' + RUN, 'source'],
		['/providers/no-such-' + RUN, 'provider'], ['/lists/no-such-' + RUN, 'list'],
		['/users/zzzzzzzzzzzz', 'user']]) {
		await tap.step(`${p}: the ${entity} not-found page`, async () => {
			await go(p);
			await page.waitForSelector('[data-testid=not-found]');
			return true;
		});
	}
	await tap.step('the list filter narrows the rows', async () => {
		await go('/sources');
		await page.fill('input[name=q]', 'Py ' + RUN);
		const rows = await page.locator('[data-testid=sources] tbody tr').count();
		return rows === 1;
	});
	await tap.step('"New" from a filtered list starts with that name', async () => {
		await page.fill('input[name=q]', 'Fresh ' + RUN);
		await page.click('[data-testid=new]');
		await page.waitForURL(u => u.pathname === '/sources/new');
		await settled(page);
		return await page.inputValue('[data-testid=source-form] input[name=name]') === 'Fresh ' + RUN;
	});

	// --- deletes ------------------------------------------------------------------
	await tap.step('delete the ignore list', async () => {
		await go('/lists/' + list.slug + '/edit');
		await page.click('[data-testid=delete]');
		await confirmOk();
		await page.waitForURL(u => u.pathname === '/lists');
		return (await api.get('/ignoreLists/' + list.id)).status === 404;
	});
	await tap.step('delete the source', async () => {
		await go('/sources/' + src.slug + '/edit');
		await page.click('[data-testid=delete]');
		await confirmOk();
		await page.waitForURL(u => u.pathname === '/sources');
		return (await api.get('/sources/' + src.id)).status === 404;
	});
	await tap.step('delete the provider', async () => {
		await go('/providers/' + prov.slug + '/edit');
		await page.click('[data-testid=delete]');
		await confirmOk();
		await page.waitForURL(u => u.pathname === '/providers');
		return (await api.get('/providers/' + prov.id)).status === 404;
	});

	// --- role-aware ---------------------------------------------------------------
	await tap.step('a sources_view user sees no edit buttons', async () => {
		await go('/logout');
		await login(page, E.url, viewer.email, viewer.password);
		await go('/sources');
		const nNew = await page.locator('[data-testid=new]').count();
		const first = await page.locator('[data-testid=sources] tbody a').first().getAttribute('href');
		await go(first);
		const nEdit = await page.locator('[data-testid=edit]').count();
		await go('/sources/new');
		const forbidden = await page.locator('[data-testid=source-form]').count();
		const nav = await page.locator('nav a[href="/users"]').count();
		return nNew === 0 && nEdit === 0 && forbidden === 0 && nav === 0;
	});
} finally {
	for (const id of made.sources)
		await api.del('/sources/' + id);
	for (const id of made.lists)
		await api.del('/ignoreLists/' + id);
	for (const id of made.providers)
		await api.del('/providers/' + id);
	for (const id of made.secrets)
		await api.del('/secrets/' + id);
	await b.close();
	tap.done();
}
