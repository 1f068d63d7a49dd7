#!/usr/bin/env node
// parse.js FILE: reads a script of certbind's --format powershell with
// tree-sitter's PowerShell grammar (an independent parser) and prints, as
// JSON, every pipeline as a list of commands:
//   [[{"name": "Get-X", "params": {"Identity": "value"}, "args": [...]}, ...], ...]
// Each single-quoted string is decoded as PowerShell reads it: the quotes
// stripped and, inside, one of PowerShell's five single quotes (' U+2018
// U+2019 U+201A U+201B) followed by another stands for the second.  An
// unpaired quote inside fails: PowerShell would end the string there
// (the grammar knows only ', so this check is ours).  $true, $false and
// $null decode to true, false and null; a bare word list such as
// Name,Fqdn to an array of strings.
//
// Anything else fails with exit status 1 and FILE:LINE:COL: on stderr:
// a syntax error (an ERROR or MISSING node), a double-quoted or here
// string, another variable, a subexpression, any construct a script of
// certbind has no business holding, a control character other than a
// newline, bytes that are not UTF-8.  Usage or I/O errors: exit 2.
'use strict';

const fs = require('fs');
const { Parser, Language } = require('web-tree-sitter');

const QUOTES = new Set(["'", '\u2018', '\u2019', '\u201a', '\u201b']);

class Refused extends Error {
  constructor(node, msg) {
    super(msg);
    this.node = node;
  }
}

function where(node) {
  return `${node.startPosition.row + 1}:${node.startPosition.column + 1}`;
}

// A verbatim string's value, as PowerShell's tokenizer reads it.
function verbatim(node) {
  const cps = Array.from(node.text);
  if (cps.length < 2 || !QUOTES.has(cps[0]) || !QUOTES.has(cps[cps.length - 1]))
    throw new Refused(node, 'not a single-quoted string');
  let v = '';
  for (let i = 1; i < cps.length - 1; i++) {
    if (QUOTES.has(cps[i])) {
      if (i + 1 >= cps.length - 1 || !QUOTES.has(cps[i + 1]))
        throw new Refused(node, `unpaired quote U+${cps[i].codePointAt(0)
          .toString(16).toUpperCase().padStart(4, '0')} inside a string: ` +
          'PowerShell ends the string there');
      v += cps[++i];
    } else {
      v += cps[i];
    }
  }
  return v;
}

// The value of one argument node.
function value(node) {
  if (node.type !== 'array_literal_expression' || node.namedChildCount !== 1)
    throw new Refused(node, `unexpected ${node.type}`);
  const u = node.namedChildren[0];
  if (u.type !== 'unary_expression' || u.namedChildCount !== 1)
    throw new Refused(u, `unexpected ${u.type}`);
  const x = u.namedChildren[0];
  if (x.type === 'variable') {
    const t = x.text.toLowerCase();
    if (t === '$true') return true;
    if (t === '$false') return false;
    if (t === '$null') return null;
    throw new Refused(x, `variable ${x.text}`);
  }
  if (x.type !== 'string_literal' || x.namedChildCount !== 1 ||
      x.namedChildren[0].type !== 'verbatim_string_characters')
    throw new Refused(x, `unexpected ${x.type}` +
      (x.namedChildCount ? ` (${x.namedChildren[0].type})` : ''));
  return verbatim(x);
}

const BARE = /^[A-Za-z][A-Za-z0-9]*$/;

function command(node) {
  const name = node.childForFieldName('command_name');
  if (name === null || !/^[A-Z][A-Za-z]*-[A-Z][A-Za-z]*$/.test(name.text))
    throw new Refused(node, 'not a cmdlet name');
  const cmd = { name: name.text, params: {}, args: [] };
  const els = node.childForFieldName('command_elements');
  let param = null;
  let joinNext = false;
  for (const c of els ? els.children : []) {
    if (c.type === 'command_argument_sep') {
      // The grammar reads Name,Fqdn as two tokens with a MISSING
      // separator before ",Fqdn" (it has no bare word lists); that one
      // case is a list, any other MISSING node a syntax error.
      joinNext = c.childCount === 1 && c.children[0].isMissing;
      if (!joinNext && !/^[ ]+$/.test(c.text))
        throw new Refused(c, 'unexpected separator');
      continue;
    }
    if (c.type === 'command_parameter') {
      if (param !== null)
        throw new Refused(c, `parameter -${param} without a value`);
      param = c.text.replace(/^-/, '');
      if (!BARE.test(param))
        throw new Refused(c, 'odd parameter');
      if (Object.prototype.hasOwnProperty.call(cmd.params, param))
        throw new Refused(c, `parameter -${param} given twice`);
      continue;
    }
    let v;
    if (c.type === 'generic_token' && c.childCount === 0) {
      if (joinNext && c.text.startsWith(',')) {
        const prev = param === null ? cmd.args : null;
        const last = prev && prev[prev.length - 1];
        if (!Array.isArray(last) || !BARE.test(c.text.slice(1)))
          throw new Refused(c, 'unexpected list element');
        last.push(c.text.slice(1));
        joinNext = false;
        continue;
      }
      if (!BARE.test(c.text))
        throw new Refused(c, `bare word ${JSON.stringify(c.text)}`);
      v = [c.text];
    } else {
      v = value(c);
    }
    if (joinNext)
      throw new Refused(c, 'missing separator');
    if (param !== null) {
      cmd.params[param] = v;
      param = null;
    } else {
      cmd.args.push(v);
    }
  }
  if (joinNext)
    throw new Refused(els, 'missing separator');
  if (param !== null)
    throw new Refused(node, `parameter -${param} without a value`);
  return cmd;
}

function pipeline(node) {
  if (node.namedChildCount !== 1 || node.namedChildren[0].type !== 'pipeline_chain')
    throw new Refused(node, 'not a simple pipeline');
  const cmds = [];
  for (const c of node.namedChildren[0].children) {
    if (c.type === '|')
      continue;
    if (c.type !== 'command')
      throw new Refused(c, `unexpected ${c.type}`);
    cmds.push(command(c));
  }
  return cmds;
}

// Syntax errors first: they are the parser saying no.
function syntax(node) {
  if (node.type === 'ERROR')
    throw new Refused(node, `syntax error at ${JSON.stringify(node.text.slice(0, 40))}`);
  if (node.isMissing) {
    const p = node.parent;
    const next = p && p.nextSibling;
    const prev = p && p.previousSibling;
    if (!(p && p.type === 'command_argument_sep' && next &&
          next.type === 'generic_token' && next.text.startsWith(',') &&
          prev && prev.type === 'generic_token'))
      throw new Refused(node, `missing ${node.type}`);
  }
  for (const c of node.children)
    syntax(c);
}

async function main() {
  if (process.argv.length !== 3) {
    process.stderr.write('usage: parse.js FILE\n');
    process.exit(2);
  }
  const file = process.argv[2];
  let src;
  try {
    src = new TextDecoder('utf-8', { fatal: true }).decode(fs.readFileSync(file));
  } catch (e) {
    process.stderr.write(`${file}: ${e.message}\n`);
    process.exit(e instanceof TypeError ? 1 : 2);
  }
  // eslint-disable-next-line no-control-regex
  const bad = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]/u.exec(src);
  if (bad) {
    const before = src.slice(0, bad.index).split('\n');
    process.stderr.write(`${file}:${before.length}:${before[before.length - 1].length + 1}: ` +
      `control character U+${bad[0].codePointAt(0).toString(16).padStart(4, '0')}\n`);
    process.exit(1);
  }
  await Parser.init();
  const lang = await Language.load(
    require.resolve('tree-sitter-powershell/tree-sitter-powershell.wasm'));
  const parser = new Parser();
  parser.setLanguage(lang);
  const tree = parser.parse(src);
  const out = [];
  try {
    syntax(tree.rootNode);
    for (const c of tree.rootNode.children) {
      if (c.type === 'comment')
        continue;
      if (c.type !== 'statement_list')
        throw new Refused(c, `unexpected ${c.type}`);
      for (const s of c.children) {
        if (s.type === 'comment')
          continue;
        if (s.type !== 'pipeline')
          throw new Refused(s, `unexpected ${s.type}`);
        out.push(pipeline(s));
      }
    }
  } catch (e) {
    if (!(e instanceof Refused))
      throw e;
    process.stderr.write(`${file}:${where(e.node)}: ${e.message}\n`);
    process.exit(1);
  }
  process.stdout.write(JSON.stringify(out, null, 1) + '\n');
}

main().catch((e) => {
  process.stderr.write(`parse.js: ${e.stack}\n`);
  process.exit(2);
});
