// krill_ref.js: what Triton's VOLAPI answers to ListVolumes predicates,
// computed with krill 1.0.1 itself (npm), as VOLAPI's
// lib/validation/predicate.js drives it, compared with what a running
// tritonnfs-vapi answers.  One TAP line per case.
//
//   node krill_ref.js NODE_MODULES_DIR URL TABLE
//
// TABLE: one case per line, "QUERY<TAB>PREDICATE" (QUERY may be empty:
// extra query parameters such as name=foo).  Lines starting with # are
// comments.
'use strict';
var fs = require('fs');
var path = require('path');
var util = require('util');

var dir = process.argv[2], url = process.argv[3], table = process.argv[4];
// VOLAPI runs on node v6, whose util.inspect extsprintf's %j calls; the
// npm util@0.10.4 package carries that algorithm.
util.inspect = require(path.join(dir, 'util')).inspect;
var krill = require(path.join(dir, 'krill'));

var TYPES = {dangling: 'boolean', name: 'string', network: 'string',
    size: 'number', state: 'string', type: 'string', uuid: 'string'};
var UUID_RE = /^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$/;
var NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_\.\-]+$/;
var STATES = ['creating', 'ready', 'failed', 'deleting'];

function validUuid(u) {
	return typeof (u) === 'string' && u !== '' && UUID_RE.test(u);
}

// VOLAPI's lib/validation/volumes.js checks, as their messages read.
var CHECK = {
	dangling: function (v) {
		return typeof (v) === 'boolean' ? [] : [new Error('Dangling ' +
		    'predicate: "' + v + '" is not a valid dangling ' +
		    'predicate. must be either true or false')];
	},
	name: function (v) {
		var e = [];
		if (!NAME_RE.test(v))
			e.push(new Error('volume name must match ' + NAME_RE));
		if (v.length > 256)
			e.push(new Error('volume name is too long, max length ' +
			    'is 256'));
		return e;
	},
	network: function (v) {
		return validUuid(v) ? [] : [new Error(v + ' is not a valid ' +
		    'volume network UUID')];
	},
	size: function (v) {
		return v > 0 ? [] : [new Error('Volume size: "' + v + '" is ' +
		    'not a valid volume size. Size must be a number > 0')];
	},
	state: function (v) {
		return STATES.indexOf(v) !== -1 ? [] :
		    [new Error('Volume state: ' + v + ' is invalid')];
	},
	type: function (v) {
		return v === 'tritonnfs' ? [] :
		    [new Error('Volume type: ' + v + ' is not supported')];
	},
	uuid: function (v) {
		return validUuid(v) ? [] :
		    [new Error(v + ' is not a valid uuid UUID')];
	}
};

// The causes VOLAPI's validateListVolumes gives; null when it accepts.
// A JSON syntax error's text is V8's of the node that runs this script,
// not node v6's, so only the part before it is compared.
function expected(query, text) {
	var errs = [], obj, pred, bad = [];

	if (text === '')
		return null; /* no predicate */
	try {
		obj = JSON.parse(text);
	} catch (e) {
		return {prefix: 'Validation error, causes: VError: Could not ' +
		    'parse JSON predicate ' + text + ': '};
	}
	try {
		pred = krill.createPredicate(obj, TYPES);
	} catch (e) {
		errs.push(e);
	}
	if (pred) {
		var fv = pred.fieldsAndValues();
		Object.keys(fv).forEach(function (f) {
			fv[f].forEach(function (v) {
				bad = bad.concat(CHECK[f](v));
			});
		});
		if (bad.length > 0) {
			errs.push(new Error('Invalid values in predicate: ' + bad));
		} else {
			pred.fields().forEach(function (f) {
				if (query[f] !== undefined)
					errs.push(new Error('predicate has "' + f +
					    '" which conflicts with query ' +
					    'parameter with same name'));
			});
		}
	}
	if (errs.length === 0)
		return null;
	return {exact: 'Validation error, causes: ' + errs.join(', ')};
}

async function main() {
	var lines = fs.readFileSync(table, 'utf8').split('\n');
	var n = 0, failed = 0;

	for (var line of lines) {
		if (line === '' || line[0] === '#')
			continue;
		var tab = line.indexOf('\t');
		var qs = line.slice(0, tab), text = line.slice(tab + 1);
		var query = Object.fromEntries(new URLSearchParams(qs));
		var want = expected(query, text);
		var u = url + '/volumes?' + (qs ? qs + '&' : '') +
		    'predicate=' + encodeURIComponent(text);
		var res = await fetch(u, {signal: AbortSignal.timeout(10000)});
		var body = await res.json();
		var ok, got = res.status + ' ' + (body.message || '(array)');

		n++;
		if (want === null)
			ok = res.status === 200;
		else if (want.exact !== undefined)
			ok = res.status === 409 && body.message === want.exact;
		else
			ok = res.status === 409 &&
			    body.message.indexOf(want.prefix) === 0;
		if (!ok) {
			failed++;
			console.log('not ok ' + n + ' - ' + JSON.stringify(text) +
			    '\n#   want: ' + JSON.stringify(want === null ?
			    '200' : want.exact || want.prefix + '...') +
			    '\n#   got:  ' + JSON.stringify(got));
		} else {
			console.log('ok ' + n + ' - ' + JSON.stringify(text));
		}
	}
	console.log('1..' + n);
	process.exit(failed > 0 ? 1 : 0);
}

main().catch(function (e) {
	console.log('not ok - ' + e.stack.replace(/\n/g, '\n# '));
	process.exit(1);
});
