#!/usr/bin/env node
// The client's size as the browser receives it, and the budgets CI holds it to.
//
//   node scripts/client-size.mjs report <site root> [app.wasm with names]
//   node scripts/client-size.mjs check  <site root>
//
// Sizes are measured as served: the brotli file the build wrote beside each asset (the server
// never compresses per request). `report` also names the biggest contributors to the
// WebAssembly, by crate, from the function names cargo leaves in its own output (the shipped
// file has them stripped). `check` exits 1 when a budget in client-budgets.json is exceeded.

import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const KIB = 1024;
const here = dirname(fileURLToPath(import.meta.url));

/** Size of a file as served: its .br twin when there is one, else the file itself. */
function served(path) {
  const br = `${path}.br`;
  return {
    raw: statSync(path).size,
    br: existsSync(br) ? statSync(br).size : statSync(path).size,
    gz: existsSync(`${path}.gz`) ? statSync(`${path}.gz`).size : statSync(path).size,
  };
}

/**
 * What each route downloads. Attest ships one bundle (see README, "Client size"), so every
 * route, the first page after sign-in included, needs the same JavaScript and WebAssembly.
 */
export function measure(siteRoot) {
  const buildId = readFileSync(join(siteRoot, 'BUILD_ID'), 'utf8').trim();
  const pkg = join(siteRoot, 'pkg', buildId);
  const files = readdirSync(pkg)
    .filter((name) => !name.endsWith('.br') && !name.endsWith('.gz'))
    .sort()
    .map((name) => ({ name: `pkg/${buildId}/${name}`, ...served(join(pkg, name)) }));
  const code = files.filter((f) => /\.(js|wasm)$/.test(f.name));
  const codeBytes = code.reduce((sum, f) => sum + f.br, 0);
  return {
    buildId,
    files,
    firstPage: codeBytes,
    routes: { '*': codeBytes },
    total: codeBytes,
  };
}

/** The budgets broken, as sentences; empty when all hold. */
export function overBudget(measured, limits) {
  const problems = [];
  const kib = (bytes) => `${(bytes / KIB).toFixed(1)} KiB`;
  if (measured.firstPage > limits.firstPageKiB * KIB) {
    problems.push(
      `first page after sign-in: ${kib(measured.firstPage)} > ${limits.firstPageKiB} KiB`,
    );
  }
  for (const [route, bytes] of Object.entries(measured.routes)) {
    if (bytes > limits.routeKiB * KIB) {
      problems.push(`route ${route}: ${kib(bytes)} > ${limits.routeKiB} KiB`);
    }
  }
  if (measured.total > limits.totalKiB * KIB) {
    problems.push(`all chunks: ${kib(measured.total)} > ${limits.totalKiB} KiB`);
  }
  return problems;
}

export function loadBudgets(path = join(here, 'client-budgets.json')) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

// --- WebAssembly name section: which crate each function's code comes from ---------------

function readLeb(bytes, at) {
  let value = 0;
  let shift = 0;
  let byte;
  do {
    byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, at];
}

/** Code size of every defined function, by name (names from the custom "name" section). */
export function functionSizes(bytes) {
  if (bytes.readUInt32LE(0) !== 0x6d736100) throw new Error('not a WebAssembly file');
  let at = 8;
  let imported = 0;
  const bodies = [];
  const names = new Map();
  while (at < bytes.length) {
    const id = bytes[at++];
    let size;
    [size, at] = readLeb(bytes, at);
    const end = at + size;
    if (id === 2) {
      // Imports: functions among them take the first indices.
      let count;
      let p;
      [count, p] = readLeb(bytes, at);
      for (let i = 0; i < count; i++) {
        for (let s = 0; s < 2; s++) {
          let len;
          [len, p] = readLeb(bytes, p);
          p += len;
        }
        const kind = bytes[p++];
        if (kind === 0) {
          [, p] = readLeb(bytes, p);
          imported++;
        } else if (kind === 1) {
          p += 1;
          const flags = bytes[p++];
          [, p] = readLeb(bytes, p);
          if (flags & 1) [, p] = readLeb(bytes, p);
        } else if (kind === 2) {
          const flags = bytes[p++];
          [, p] = readLeb(bytes, p);
          if (flags & 1) [, p] = readLeb(bytes, p);
        } else if (kind === 3) {
          p += 2;
        } else {
          [, p] = readLeb(bytes, p + 1);
        }
      }
    } else if (id === 10) {
      let count;
      let p;
      [count, p] = readLeb(bytes, at);
      for (let i = 0; i < count; i++) {
        let len;
        [len, p] = readLeb(bytes, p);
        bodies.push(len);
        p += len;
      }
    } else if (id === 0) {
      let len;
      let p;
      [len, p] = readLeb(bytes, at);
      const name = bytes.toString('utf8', p, p + len);
      p += len;
      if (name === 'name') {
        while (p < end) {
          const sub = bytes[p++];
          let subSize;
          [subSize, p] = readLeb(bytes, p);
          const subEnd = p + subSize;
          if (sub === 1) {
            let count;
            [count, p] = readLeb(bytes, p);
            for (let i = 0; i < count; i++) {
              let index;
              let nameLen;
              [index, p] = readLeb(bytes, p);
              [nameLen, p] = readLeb(bytes, p);
              names.set(index, bytes.toString('utf8', p, p + nameLen));
              p += nameLen;
            }
          }
          p = subEnd;
        }
      }
    }
    at = end;
  }
  return bodies.map((size, i) => ({ name: names.get(imported + i) ?? '', size }));
}

/** A legacy-mangled Rust symbol (`_ZN…E`) as a path, `<T as tachys::view::Render>::build`. */
export function demangle(symbol) {
  const match = /^_?_ZN(.*)E$/.exec(symbol) ?? /^_?_ZN(.*)$/.exec(symbol);
  if (!match) return symbol;
  const segments = [];
  let rest = match[1];
  for (;;) {
    const len = /^(\d+)/.exec(rest);
    if (!len) break;
    const start = len[1].length;
    segments.push(rest.slice(start, start + Number(len[1])));
    rest = rest.slice(start + Number(len[1]));
  }
  if (segments.length && /^h[0-9a-f]{16}$/.test(segments[segments.length - 1])) segments.pop();
  const codes = { LT: '<', GT: '>', RF: '&', BP: '*', LP: '(', RP: ')', C: ',', SP: '@' };
  return segments
    .map((segment) =>
      segment
        .replace(/^_\$/, '$')
        .replace(/\$([A-Z]{1,2})\$/g, (all, code) => codes[code] ?? all)
        .replace(/\$u([0-9a-f]{2})\$/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)))
        .replaceAll('..', '::'),
    )
    .join('::');
}

/**
 * The crate a Rust symbol's code is charged to: the outermost path's crate, except that a
 * blanket impl (`<T as tachys::view::IntoAny>`) is charged to the trait's crate and drop glue
 * (`core::ptr::drop_in_place<tachys::…>`) to the type it drops.
 */
export function crateOf(symbol) {
  let name = demangle(symbol).replace(/^[<&\s*]+/, '').replace(/^(dyn|mut|const)\s+/, '');
  const blanket = /^[A-Z]\w{0,2} as &?(?:mut )?([A-Za-z_]\w*)::/.exec(name);
  if (blanket) return blanket[1];
  const drop = /^core::ptr::drop_in_place<[&\s(]*(?:mut\s+|dyn\s+)?([A-Za-z_]\w*)::/.exec(name);
  if (drop) return drop[1];
  const crate = /^([A-Za-z_][A-Za-z0-9_]*)/.exec(name);
  return crate ? crate[1] : '(unnamed)';
}

export function crateBreakdown(bytes) {
  const totals = new Map();
  for (const { name, size } of functionSizes(bytes)) {
    const crate = crateOf(name);
    totals.set(crate, (totals.get(crate) ?? 0) + size);
  }
  return [...totals.entries()].sort((a, b) => b[1] - a[1]);
}

// --- command line ------------------------------------------------------------------------------

function report(siteRoot, namedWasm) {
  const measured = measure(siteRoot);
  const budgets = loadBudgets();
  const kib = (bytes) => `${(bytes / KIB).toFixed(1).padStart(8)} KiB`;
  const lines = [`Client ${measured.buildId}, as served (brotli; gzip and raw for comparison)`];
  for (const f of measured.files) {
    lines.push(`  ${f.name.padEnd(40)} br ${kib(f.br)}   gz ${kib(f.gz)}   raw ${kib(f.raw)}`);
  }
  lines.push(`  JavaScript + WebAssembly for the first page after sign-in: ${kib(measured.firstPage)}`);
  lines.push(`  Limits (CI fails above): ${JSON.stringify(budgets.limits)}`);
  lines.push(`  Goals (issue 21):        ${JSON.stringify(budgets.goals)}`);
  const goalsMissed = overBudget(measured, budgets.goals);
  lines.push(goalsMissed.length ? `  Goals not met: ${goalsMissed.join('; ')}` : '  Goals met');
  if (namedWasm && existsSync(namedWasm)) {
    const breakdown = crateBreakdown(readFileSync(namedWasm));
    const all = breakdown.reduce((sum, [, size]) => sum + size, 0);
    lines.push(`Code by crate (uncompressed, before wasm-opt; ${(all / KIB).toFixed(0)} KiB of code):`);
    for (const [crate, size] of breakdown.slice(0, 15)) {
      lines.push(`  ${crate.padEnd(24)} ${kib(size)}  ${((100 * size) / all).toFixed(1).padStart(5)}%`);
    }
    // Leptos 0.8 links an async hydration path for every `into_any()` (leptos#4852).
    const asyncPath = functionSizes(readFileSync(namedWasm))
      .filter((f) => demangle(f.name).includes('hydrate_async'))
      .reduce((sum, f) => sum + f.size, 0);
    lines.push(`  of all code, Leptos's async hydration path (unused here): ${kib(asyncPath)}`);
  }
  console.log(lines.join('\n'));
}

function check(siteRoot) {
  const measured = measure(siteRoot);
  const problems = overBudget(measured, loadBudgets().limits);
  if (problems.length) {
    console.error(`Client size over budget:\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`Client size within budget (first page ${(measured.firstPage / KIB).toFixed(1)} KiB)`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [command, siteRoot, namedWasm] = process.argv.slice(2);
  if (command === 'report' && siteRoot) report(siteRoot, namedWasm);
  else if (command === 'check' && siteRoot) check(siteRoot);
  else {
    console.error('usage: client-size.mjs report|check <site root> [app.wasm]');
    process.exit(2);
  }
}
