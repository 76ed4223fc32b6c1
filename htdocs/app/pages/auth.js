// pages/auth.js -- login, signup, the OpenID landing and logout.
import { h } from '../dom.js';
import { field, validate, showFieldErrors, clearFieldErrors } from '../components/form.js';

const EMAIL = /^[^\s@]+@[^\s@]+$/;

function nextOf(ctx) {
	const n = ctx.query.get('next');
	return n && /^\/(?!\/)/.test(n) && !/^\/(login|signup|logout)\b/.test(n) ? n : '/';
}

function openIdButtons(ctx, services, next) {
	const ids = services.filter(s => s.enabled && s.kind && s.kind.kind === 'openId' &&
	    s.kind.content && s.kind.content.name);
	if (!ids.length)
		return null;
	return h('div', { class: 'openid' },
	    h('div', { class: 'or muted' }, ctx.t('core.auth.or')),
	    ids.map(s => {
		    const name = s.kind.content.name;
		    const label = ctx.t('core.auth.provider.' + name) !== 'core.auth.provider.' + name ?
			ctx.t('core.auth.provider.' + name) : name;
		    return h('a', { class: 'btn block', 'data-external': '',
			'data-testid': 'openid-' + name,
			href: '/api/v1/auth/openid/' + encodeURIComponent(name) +
			    '?next=' + encodeURIComponent(next) },
			ctx.t('core.auth.continueWith', { provider: label }));
	    }));
}

export async function login(ctx) {
	ctx.setTitle('core.auth.loginTitle');
	const next = nextOf(ctx);
	let services = [];
	try {
		services = await ctx.api.get('/auth') || [];
	} catch (e) {
		ctx.toast.error(e);
	}
	const pw = services.find(s => s.kind && s.kind.kind === 'password');
	const email = h('input', { type: 'email', name: 'email', required: true,
	    autocomplete: 'username', autofocus: true });
	const password = h('input', { type: 'password', name: 'password', required: true,
	    autocomplete: 'current-password' });
	const submit = h('button', { class: 'btn primary block', type: 'submit' },
	    ctx.t('core.auth.login'));
	const form = h('form', { class: 'form', novalidate: true, 'data-testid': 'login-form' },
	    field({ name: 'email', labelKey: 'core.auth.email', input: email }),
	    field({ name: 'password', labelKey: 'core.auth.password', input: password }),
	    submit);
	form.addEventListener('submit', async e => {
		e.preventDefault();
		if (!validate(form, { email: { required: true, pattern: EMAIL },
		    password: { required: true } }))
			return;
		submit.disabled = true;
		try {
			const r = await ctx.api.post('/auth/login',
			    { email: email.value.trim(), password: password.value });
			await ctx.startSession(r.jwtToken, next);
		} catch (err) {
			submit.disabled = false;
			clearFieldErrors(form);
			if (err.status === 401) {
				ctx.toast(err.code === 'account_disabled' ?
				    ctx.t('core.auth.disabled') : ctx.t('core.auth.badCredentials'), 'error');
				password.select();
			} else if (!showFieldErrors(form, err)) {
				ctx.toast.error(err);
			}
		}
	});
	const parts = [];
	if (!pw || pw.enabled)
		parts.push(form);
	parts.push(openIdButtons(ctx, services, next));
	if (!pw || pw.enabled)
		parts.push(h('p', { class: 'muted center' }, ctx.t('core.auth.noAccount'), ' ',
		    h('a', { href: '/signup' }, ctx.t('core.auth.signup'))));
	ctx.el.append(h('h2', null, ctx.t('core.auth.loginTitle')), ...parts.filter(Boolean));
	email.focus();
}

export async function signup(ctx) {
	ctx.setTitle('core.auth.signupTitle');
	const name = h('input', { type: 'text', name: 'name', required: true,
	    maxlength: 100, autocomplete: 'name' });
	const email = h('input', { type: 'email', name: 'email', required: true,
	    autocomplete: 'email' });
	const password = h('input', { type: 'password', name: 'password', required: true,
	    minlength: 8, autocomplete: 'new-password' });
	const submit = h('button', { class: 'btn primary block', type: 'submit' },
	    ctx.t('core.auth.signup'));
	const form = h('form', { class: 'form', novalidate: true },
	    field({ name: 'name', labelKey: 'core.auth.name', input: name }),
	    field({ name: 'email', labelKey: 'core.auth.email', input: email }),
	    field({ name: 'password', labelKey: 'core.auth.password', input: password,
		hintKey: 'core.auth.passwordHint' }),
	    submit);
	form.addEventListener('submit', async e => {
		e.preventDefault();
		if (!validate(form, { name: { required: true, maxLength: 100 },
		    email: { required: true, pattern: EMAIL },
		    password: { required: true, minLength: 8, maxLength: 1024 } }))
			return;
		submit.disabled = true;
		try {
			const r = await ctx.api.post('/auth/signup', { name: name.value.trim(),
			    email: email.value.trim(), password: password.value });
			ctx.toast(r && r.enabled ? ctx.t('core.auth.signedUpEnabled') :
			    ctx.t('core.auth.signedUp'), 'success');
			ctx.navigate('/login');
		} catch (err) {
			submit.disabled = false;
			if (err.status === 409)
				ctx.toast(ctx.t('core.auth.exists'), 'error');
			else if (!showFieldErrors(form, err))
				ctx.toast.error(err);
		}
	});
	ctx.el.append(h('h2', null, ctx.t('core.auth.signupTitle')), form,
	    h('p', { class: 'muted center' }, ctx.t('core.auth.haveAccount'), ' ',
		h('a', { href: '/login' }, ctx.t('core.auth.login'))));
	name.focus();
}

// /auth: where the OpenID callback sends a disabled account
// (/auth?disabled=true); also accepts ?token=&next=.
export async function landing(ctx) {
	ctx.setTitle('core.auth.loginTitle');
	const tok = ctx.query.get('token');
	if (ctx.query.get('disabled') === 'true') {
		ctx.toast(ctx.t('core.auth.disabled'), 'error');
		ctx.navigate('/login', { replace: true });
	} else if (tok) {
		await ctx.startSession(tok, nextOf(ctx));
	} else {
		ctx.toast(ctx.t('core.auth.noToken'), 'error');
		ctx.navigate('/login', { replace: true });
	}
}

export async function logout(ctx) {
	ctx.endSession();
	ctx.toast(ctx.t('core.auth.loggedOut'), 'success');
	ctx.navigate('/login', { replace: true });
}
