// kinds.js -- the 11 indicator kinds and their auto-detection, the same
// rules as lib/indicator.c (ind_detect): trimmed, network kinds
// refanged, then the first kind of DETECT_ORDER whose syntax accepts
// the value.  The server decides in the end; this only fills the form.

export const KINDS = ['DOMAIN', 'IPV4', 'IPV6', 'URL', 'EMAIL', 'SHA1',
	'SHA256', 'SHA512', 'MD5', 'TLSH', 'SSDEEP'];

export const EXAMPLES = {
	DOMAIN: 'example.com',
	IPV4: '192.0.2.1',
	IPV6: '2001:db8::1',
	URL: 'https://example.com/index.html',
	EMAIL: 'user@example.com',
	SHA1: '5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8',
	SHA256: '5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8',
	SHA512: 'b109f3bbbc244eb82441917ed06d618b9008dd09b3befd1b5e07394c706a8bb9' +
	    '80b1d7785e5976ec049b46df5f1326af5a2ea6d103fd07c95385ffab0cacbc86',
	MD5: '098f6bcd4621d373cade4e832627b4f6',
	TLSH: 'T15FF2835FB74413B2018206A26A9F68DEE319D03A73664095785DC15C27B3E3483BFBED',
	SSDEEP: '3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsVNhB2Lsr2C'
};

const DETECT_ORDER = ['MD5', 'SHA1', 'SHA256', 'SHA512', 'TLSH', 'SSDEEP',
	'IPV4', 'IPV6', 'URL', 'EMAIL', 'DOMAIN'];
const DEFANG = new Set(['DOMAIN', 'IPV4', 'IPV6', 'URL', 'EMAIL']);
const DEFANGS = [['[://]', '://'], ['[dot]', '.'], ['(dot)', '.'], ['{dot}', '.'],
	['[.]', '.'], ['(.)', '.'], ['{.}', '.'], ['[at]', '@'], ['(at)', '@'],
	['[@]', '@'], ['(@)', '@'], ['[:]', ':']];

function refang(s) {
	for (const [f, t] of DEFANGS)
		s = s.split(f).join(t);
	return s.replace(/^hxxp(s?):\/\//i, 'http$1://');
}

function hostname(s, minLabels) {
	s = s.toLowerCase().replace(/\.$/, '');
	if (!s || [...s].length > 253)
		return false;
	const labels = s.split('.');
	if (labels.length < minLabels)
		return false;
	for (const l of labels) {
		if (!l || [...l].length > 63 || l.startsWith('-') || l.endsWith('-'))
			return false;
		if (!/^(?:[a-z0-9_-]|[^\x00-\x7f])+$/.test(l))
			return false;
	}
	return !/^\d+$/.test(labels[labels.length - 1]);
}

function ipv4(s) {
	const p = s.split('.');
	return p.length === 4 && p.every(x => /^(0|[1-9]\d{0,2})$/.test(x) && +x <= 255);
}

function ipv6(s) {
	if (s.startsWith('[') !== s.endsWith(']'))
		return false;
	s = s.replace(/^\[|\]$/g, '');
	if (!/^[0-9a-fA-F:.]+$/.test(s) || !s.includes(':'))
		return false;
	let tail = 0;
	const m = /:(\d+\.\d+\.\d+\.\d+)$/.exec(s);
	if (m) {
		if (!ipv4(m[1]))
			return false;
		s = s.slice(0, -m[1].length) + '0:0';
		tail = 0;
	}
	const dbl = s.split('::');
	if (dbl.length > 2)
		return false;
	const groups = x => x === '' ? [] : x.split(':');
	const all = dbl.flatMap(groups);
	if (!all.every(g => /^[0-9a-fA-F]{1,4}$/.test(g)))
		return false;
	return dbl.length === 2 ? all.length + tail < 8 : all.length === 8;
}

function url(s) {
	const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)/.exec(s);
	if (!m)
		return false;
	let auth = m[2];
	const at = auth.split('@');
	if (at.length > 2)
		return false;
	auth = at[at.length - 1];
	let host, rest;
	if (auth.startsWith('[')) {
		const e = auth.indexOf(']');
		if (e < 0 || !ipv6(auth.slice(0, e + 1)))
			return false;
		host = auth.slice(0, e + 1);
		rest = auth.slice(e + 1);
	} else {
		const c = auth.indexOf(':');
		host = c < 0 ? auth : auth.slice(0, c);
		rest = c < 0 ? '' : auth.slice(c);
	}
	if (!host || (rest && !/^:\d*$/.test(rest)) || /\s/.test(s))
		return false;
	if (host.startsWith('['))
		return true;
	if (/^[\d.]+$/.test(host))
		return ipv4(host);
	return hostname(host, 1);
}

function email(s) {
	const at = s.split('@');
	if (at.length !== 2)
		return false;
	return at[0].length > 0 && at[0].length <= 64 &&
	    /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+$/.test(at[0]) && hostname(at[1], 2);
}

const CHECK = {
	MD5: s => /^[0-9a-fA-F]{32}$/.test(s),
	SHA1: s => /^[0-9a-fA-F]{40}$/.test(s),
	SHA256: s => /^[0-9a-fA-F]{64}$/.test(s),
	SHA512: s => /^[0-9a-fA-F]{128}$/.test(s),
	TLSH: s => /^[Tt]1[0-9a-fA-F]{70}$/.test(s),
	SSDEEP: s => s.length > 10 && /^[1-9]\d{0,9}:[A-Za-z0-9+/]+:[A-Za-z0-9+/]+$/.test(s),
	IPV4: ipv4,
	IPV6: ipv6,
	URL: url,
	EMAIL: email,
	DOMAIN: s => hostname(s, 2)
};

// Whether s is a valid indicator of kind.
export function isKind(kind, s) {
	s = String(s || '').trim();
	if (!s || s.length > 2048 || /[\x00-\x1f\x7f]/.test(s))
		return false;
	if (DEFANG.has(kind))
		s = refang(s);
	return CHECK[kind] ? CHECK[kind](s) : false;
}

// The kind the server would detect, or null.
export function detectKind(s) {
	for (const k of DETECT_ORDER)
		if (isKind(k, s))
			return k;
	return null;
}
