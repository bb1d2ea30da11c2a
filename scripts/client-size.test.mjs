// Unit tests of the size budget script: run by scripts/test.sh with `node --test`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { measure, overBudget, crateOf, functionSizes, loadBudgets } from './client-size.mjs';

const script = fileURLToPath(new URL('./client-size.mjs', import.meta.url));

/** A built site whose client weighs `wasmBr` bytes of brotli WebAssembly and 9 KiB of JS. */
function site(wasmBr) {
  const root = mkdtempSync(join(tmpdir(), 'attest-size-'));
  const pkg = join(root, 'pkg', 'abc123');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(root, 'BUILD_ID'), 'abc123\n');
  writeFileSync(join(pkg, 'attest.wasm'), Buffer.alloc(wasmBr * 4));
  writeFileSync(join(pkg, 'attest.wasm.br'), Buffer.alloc(wasmBr));
  writeFileSync(join(pkg, 'attest.wasm.gz'), Buffer.alloc(wasmBr + 100));
  writeFileSync(join(pkg, 'attest.js'), Buffer.alloc(30 * 1024));
  writeFileSync(join(pkg, 'attest.js.br'), Buffer.alloc(9 * 1024));
  writeFileSync(join(pkg, 'attest.css'), Buffer.alloc(50 * 1024));
  writeFileSync(join(pkg, 'attest.css.br'), Buffer.alloc(8 * 1024));
  return root;
}

const limits = { firstPageKiB: 250, routeKiB: 400, totalKiB: 1024 };

test('sizes are counted as served, brotli, JavaScript and WebAssembly only', () => {
  const measured = measure(site(100 * 1024));
  assert.equal(measured.firstPage, 109 * 1024);
  assert.equal(measured.total, 109 * 1024);
  assert.deepEqual(overBudget(measured, limits), []);
});

test('an oversize client breaks every budget it exceeds, with the figures', () => {
  const measured = measure(site(500 * 1024));
  const problems = overBudget(measured, limits);
  assert.equal(problems.length, 2, problems.join('\n'));
  assert.match(problems[0], /first page after sign-in: 509\.0 KiB > 250 KiB/);
  assert.match(problems[1], /route \*: 509\.0 KiB > 400 KiB/);
});

test('the check command fails the build when a limit is exceeded', () => {
  // Sized from the real limits, so ratcheting them never makes this test pass vacuously.
  const { firstPageKiB } = loadBudgets().limits;
  const oversize = spawnSync(process.execPath, [script, 'check', site((firstPageKiB + 50) * 1024)], {
    encoding: 'utf8',
  });
  assert.equal(oversize.status, 1, oversize.stdout + oversize.stderr);
  assert.match(oversize.stderr, /over budget/);
  const fine = spawnSync(process.execPath, [script, 'check', site(100 * 1024)], {
    encoding: 'utf8',
  });
  assert.equal(fine.status, 0, fine.stdout + fine.stderr);
});

test('symbols are attributed to the crate of their outermost path', () => {
  assert.equal(crateOf('tachys::view::iterators::Vec<T>::build::h1234'), 'tachys');
  assert.equal(crateOf('<serde_json::de::Deserializer<R> as serde::Deserializer>::f'), 'serde_json');
  assert.equal(crateOf('_ZN14reactive_graph6signal3new17h0123456789abcdefE'), 'reactive_graph');
  assert.equal(crateOf('&mut app::pages::audits::ConductPage'), 'app');
  assert.equal(crateOf(''), '(unnamed)');
  // Blanket impls go to the trait's crate, drop glue to the type's, legacy mangling undone.
  assert.equal(crateOf('_ZN53_$LT$T$u20$as$u20$tachys..view..any_view..IntoAny$GT$8into_any17h7bbe475feda49733E'), 'tachys');
  assert.equal(crateOf('_ZN98_$LT$$RF$mut$u20$serde_json..de..Deserializer$LT$R$GT$$u20$as$u20$serde_core..de..Deserializer$GT$3foo17h0123456789abcdefE'), 'serde_json');
  assert.equal(crateOf('_ZN4core3ptr40drop_in_place$LT$reactive_graph..Owner$GT$17h0123456789abcdefE'), 'reactive_graph');
  assert.equal(crateOf('_ZN4core3fmt5write17h0123456789abcdefE'), 'core');
});

test('function sizes are read from the code and name sections', () => {
  // (module (func $first) (func $second nop)) with a name section, written by hand.
  const names = Buffer.from([
    0x01, 0x10, 0x02, 0x00, 0x05, ...Buffer.from('first'), 0x01, 0x06, ...Buffer.from('second'),
  ]);
  const nameSection = Buffer.concat([Buffer.from([0x04]), Buffer.from('name'), names]);
  const wasm = Buffer.concat([
    Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]),
    Buffer.from([0x01, 0x04, 0x01, 0x60, 0x00, 0x00]), // type: () -> ()
    Buffer.from([0x03, 0x03, 0x02, 0x00, 0x00]), // two functions of type 0
    Buffer.from([0x0a, 0x08, 0x02, 0x02, 0x00, 0x0b, 0x03, 0x00, 0x01, 0x0b]), // bodies
    Buffer.from([0x00, nameSection.length]),
    nameSection,
  ]);
  assert.deepEqual(functionSizes(wasm), [
    { name: 'first', size: 2 },
    { name: 'second', size: 3 },
  ]);
});
