import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../shared/random.ts';

test('same seed gives the same stream; different seeds differ', () => {
  const a = new Rng(7);
  const b = new Rng(7);
  const c = new Rng(8);
  const sa = Array.from({ length: 100 }, () => a.nextUint32());
  const sb = Array.from({ length: 100 }, () => b.nextUint32());
  const sc = Array.from({ length: 100 }, () => c.nextUint32());
  assert.deepEqual(sa, sb);
  assert.notDeepEqual(sa, sc);
});

test('uniform, normal and poisson have the right moments', () => {
  const r = new Rng(1);
  const n = 200_000;
  let su = 0;
  let sn = 0;
  let sn2 = 0;
  let sp = 0;
  for (let i = 0; i < n; i++) {
    const u = r.uniform();
    assert.ok(u >= 0 && u < 1);
    su += u;
    const z = r.normal();
    sn += z;
    sn2 += z * z;
    sp += r.poisson(3.5);
  }
  assert.ok(Math.abs(su / n - 0.5) < 0.005, `uniform mean ${su / n}`);
  assert.ok(Math.abs(sn / n) < 0.01, `normal mean ${sn / n}`);
  assert.ok(Math.abs(sn2 / n - 1) < 0.01, `normal variance ${sn2 / n}`);
  assert.ok(Math.abs(sp / n - 3.5) < 0.02, `poisson mean ${sp / n}`);
});

test('bad seeds and means are rejected with the value in the message', () => {
  assert.throws(() => new Rng(1.5), /1\.5/);
  assert.throws(() => new Rng(1).poisson(-1), /-1/);
});
