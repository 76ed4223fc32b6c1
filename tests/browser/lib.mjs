// tests/browser/lib.mjs -- the shared harness of the browser tests.
//
//   import { tap, env, needBrowser, launch, watch, login, apiClient,
//       makeUser, letters } from './lib.mjs';
//
//   const E = env();                 // IOCAGG_TEST_URL ... (null members when unset)
//   await needBrowser(E);            // TAP skip plan and exit 0 when it cannot run
//   const b = await launch();        // { browser, context, page, close() }
//   const w = watch(b.page);         // console errors, page errors, failed requests
//   const u = makeUser(E, ['request_create']);   // { email, password } via iocaggctl
//   await login(b.page, E.url, u.email, u.password);
//   tap.ok(w.clean(), 'no console error and no failed request', w.report());
//   tap.done();                      // prints the plan; exit status 1 on a failure
//
// Chromium is Debian's /usr/bin/chromium (IOCAGG_CHROMIUM overrides),
// driven by npm's playwright-core (node_modules of the top folder).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const topSrcdir = process.env.top_srcdir ? path.resolve(process.env.top_srcdir) :
    path.resolve(here, '..', '..');
export const topBuilddir = process.env.top_builddir ? path.resolve(process.env.top_builddir) :
    topSrcdir;

// --- TAP ------------------------------------------------------------------

let n = 0, failed = 0, planned = false;

function diag(s) {
	for (const line of String(s).split('\n'))
		console.log('# ' + line);
}

export const tap = {
	ok(cond, name, detail) {
		n++;
		const pass = !!cond;
		if (!pass)
			failed++;
		console.log(`${pass ? 'ok' : 'not ok'} ${n} - ${name}`);
		if (!pass && detail !== undefined && detail !== null && detail !== '')
			diag(typeof detail === 'string' ? detail : JSON.stringify(detail, null, 1));
		return pass;
	},
	is(got, want, name) {
		return tap.ok(got === want, name, `got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
	},
	diag,
	skipAll(reason) {
		console.log(`1..0 # SKIP ${reason}`);
		planned = true;
		process.exit(0);
	},
	bail(reason) {
		console.log(`Bail out! ${reason}`);
		process.exit(1);
	},
	// Run an async step; a throw is one failed test, not a crash.
	async step(name, fn) {
		try {
			const r = await fn();
			if (r === undefined)
				return tap.ok(true, name);
			return tap.ok(r, name);
		} catch (e) {
			return tap.ok(false, name, e && e.stack ? e.stack.split('\n').slice(0, 6).join('\n') : String(e));
		}
	},
	done() {
		if (!planned)
			console.log(`1..${n}`);
		planned = true;
		process.exitCode = failed ? 1 : 0;
	},
	get failed() { return failed; }
};

// --- the environment -------------------------------------------------------

export function env() {
	const e = process.env;
	return {
		url: e.IOCAGG_TEST_URL ? e.IOCAGG_TEST_URL.replace(/\/$/, '') : null,
		token: e.IOCAGG_TEST_TOKEN || null,
		state: e.IOCAGG_TEST_STATE || null,
		mock: e.IOCAGG_TEST_MOCK || null,
		conf: e.IOCAGG_CONF || (e.IOCAGG_TEST_STATE ? path.join(e.IOCAGG_TEST_STATE, 'iocagg.conf') : null),
		chromium: e.IOCAGG_CHROMIUM || '/usr/bin/chromium'
	};
}

let pw = null;

// Skips the whole test (TAP skip plan) when it cannot run here.
export async function needBrowser(E, { stack = true } = {}) {
	if (stack && !E.url)
		tap.skipAll('IOCAGG_TEST_URL is not set (run through tools/devstack test)');
	if (stack && !E.token)
		tap.skipAll('IOCAGG_TEST_TOKEN is not set');
	if (!existsSync(E.chromium))
		tap.skipAll(`no Chromium at ${E.chromium} (Debian package chromium)`);
	try {
		pw = await import(path.join(topSrcdir, 'node_modules', 'playwright-core', 'index.mjs'));
	} catch (e) {
		try {
			pw = await import('playwright-core');
		} catch (e2) {
			tap.skipAll('playwright-core is not installed (npm ci in the top folder)');
		}
	}
}

// --- the browser -----------------------------------------------------------

export async function launch({ width = 1280, height = 900, colorScheme = 'light',
    locale = 'en-CA' } = {}) {
	if (!pw)
		await needBrowser(env(), { stack: false });
	const chromium = pw.chromium || (pw.default && pw.default.chromium);
	const dir = mkdtempSync(path.join(tmpdir(), 'iocagg-chromium-'));
	const browser = await chromium.launch({
		executablePath: env().chromium,
		headless: true,
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
		    '--disable-background-networking', '--disable-component-update',
		    '--disable-sync', '--disable-dev-shm-usage', `--crash-dumps-dir=${dir}`]
	});
	const context = await browser.newContext({ viewport: { width, height }, colorScheme,
	    locale, acceptDownloads: true });
	context.setDefaultTimeout(15000);
	const page = await context.newPage();
	return {
		browser, context, page,
		async close() {
			await browser.close().catch(() => {});
			rmSync(dir, { recursive: true, force: true });
		}
	};
}

// Console errors, uncaught page errors, failed requests and answers
// >= 400 of one page.  allow: regexps of URLs whose failure is expected
// (a test that checks a 404 on purpose).
export function watch(page, { allow = [] } = {}) {
	const w = { console: [], pageErrors: [], failed: [], allow: [...allow] };
	const allowed = u => w.allow.some(re => re.test(u));
	page.on('console', m => {
		if (m.type() === 'error') {
			const loc = m.location() && m.location().url;
			if (!loc || !allowed(loc))
				w.console.push(m.text() + (loc ? ` (${loc})` : ''));
		}
	});
	page.on('pageerror', e => w.pageErrors.push(String(e && e.message || e)));
	page.on('requestfailed', r => {
		const f = r.failure();
		const why = f ? f.errorText : 'failed';
		// Leaving a page aborts its streams: not a failure.
		if (/ERR_ABORTED/.test(why) || allowed(r.url()))
			return;
		w.failed.push(`${r.method()} ${r.url()}: ${why}`);
	});
	page.on('response', r => {
		if (r.status() >= 400 && !allowed(r.url()))
			w.failed.push(`${r.request().method()} ${r.url()}: ${r.status()}`);
	});
	w.reset = () => {
		w.console.length = 0;
		w.pageErrors.length = 0;
		w.failed.length = 0;
	};
	w.clean = () => !w.console.length && !w.pageErrors.length && !w.failed.length;
	w.report = () => [...w.console.map(s => 'console: ' + s),
		...w.pageErrors.map(s => 'page error: ' + s),
		...w.failed.map(s => 'request: ' + s)].join('\n');
	return w;
}

// --- the stack -------------------------------------------------------------

export function letters(k = 8) {
	const a = 'abcdefghijklmnopqrstuvwxyz';
	let s = '';
	for (let i = 0; i < k; i++)
		s += a[Math.floor(Math.random() * a.length)];
	return s;
}

// A user of its own (iocaggctl user add), so tests do not share one.
export function makeUser(E, roles = [], { name } = {}) {
	const email = `ui-${letters(10)}@example.org`;
	const password = letters(6) + 'A9!' + letters(8);
	const args = ['user', 'add', '-n', name || 'Browser ' + letters(4), '-p', '-'];
	for (const r of roles)
		args.push('-r', r);
	args.push(email);
	execFileSync(path.join(topBuilddir, 'tools', 'iocaggctl'), args, {
		input: password + '\n', env: { ...process.env, IOCAGG_CONF: E.conf },
		stdio: ['pipe', 'pipe', 'pipe']
	});
	return { email, password };
}

// The REST API with the test token (or another Authorization value).
export function apiClient(E, auth = 'Token ' + E.token) {
	const call = async (method, p, body) => {
		const r = await fetch(E.url + '/api/v1' + p, {
			method, headers: { Authorization: auth,
			    ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
			body: body === undefined ? undefined : JSON.stringify(body)
		});
		const text = await r.text();
		let data = text;
		try { data = text ? JSON.parse(text) : null; } catch (e) { /* text */ }
		return { status: r.status, data, headers: r.headers };
	};
	return {
		get: p => call('GET', p), post: (p, b) => call('POST', p, b ?? {}),
		patch: (p, b) => call('PATCH', p, b), put: (p, b) => call('PUT', p, b),
		del: p => call('DELETE', p)
	};
}

// Log in through the login page; resolves once the app left /login.
export async function login(page, base, email, password, next) {
	await page.goto(base + '/login' + (next ? '?next=' + encodeURIComponent(next) : ''));
	await page.fill('[data-testid=login-form] input[name=email]', email);
	await page.fill('[data-testid=login-form] input[name=password]', password);
	await Promise.all([
		page.waitForURL(u => !u.pathname.startsWith('/login')),
		page.click('[data-testid=login-form] button[type=submit]')
	]);
	await page.waitForSelector('.shell .page-title');
}

// Wait until the router rendered a page (the header's title is set and
// the page is no longer busy).
export async function settled(page) {
	await page.waitForFunction(() => {
		const m = document.getElementById('page');
		return m && !m.hasAttribute('aria-busy');
	});
}
