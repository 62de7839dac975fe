/**
 * The wasm backend's convolution gradients, composed from Conv2D, against the cpu backend's own
 * kernels (through tf.grads and conv2dTranspose) on a grid of shapes, and against a brute-force
 * sum for dilations (which tfjs's gradients do not support, but the composed kernels do).
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { conv2dFilterGradient, conv2dInputGradient, registerWasmConvGradients } from '../../../model/tfjs/wasm-conv-gradients.ts';

type Shape4 = [number, number, number, number];

before(async () => {
  tf.enableProdMode(); // no per-op NaN checks, no banner
  registerWasmConvGradients();
  await tf.setBackend('wasm');
  await tf.ready();
});

function values(shape: number[], seed: number): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.618 + seed) + 0.3 * Math.cos(i * 1.7 + 2 * seed));
}

/** Max |a - b| over max |b|: the relative error of a whole tensor. */
function relErr(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return d / Math.max(m, 1e-12);
}

async function gradsOn(backend: string, xs: Shape4, fs: Shape4, strides: [number, number], pad: 'same' | 'valid') {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(values(xs, 1), xs);
    const f = tf.tensor4d(values(fs, 2), fs);
    const y = tf.conv2d(x, f, strides, pad);
    const dy = tf.tensor4d(values(y.shape, 3), y.shape);
    const [gx, gf] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad))([x, f], dy);
    // conv2dTranspose's forward pass is the Conv2DBackpropInput kernel too
    const t = tf.conv2dTranspose(dy, f, xs, strides, pad);
    return { gx: gx.dataSync() as Float32Array, gf: gf.dataSync() as Float32Array, t: t.dataSync() as Float32Array };
  });
}

const GRID: { x: Shape4; f: Shape4; s: [number, number]; pad: 'same' | 'valid' }[] = [];
for (const [h, w] of [
  [9, 11],
  [8, 8],
  [13, 7],
  [64, 50],
]) {
  for (const [kh, kw] of [
    [1, 1],
    [2, 2],
    [3, 3],
    [5, 3],
  ]) {
    for (const s of [
      [1, 1],
      [2, 2],
      [2, 3],
    ] as [number, number][]) {
      for (const pad of ['same', 'valid'] as const) {
        if (pad === 'valid' && (kh > h || kw > w)) continue;
        GRID.push({ x: [1 + ((h + kw) % 3), h, w, 1 + ((kh + s[0]) % 4)], f: [kh, kw, 1 + ((kh + s[0]) % 4), 1 + ((w + kh) % 5)], s, pad });
      }
    }
  }
}

test(`wasm filter and input gradients and conv2dTranspose match the cpu kernels within 1e-5 on ${GRID.length} shapes`, async () => {
  for (const c of GRID) {
    const cpu = await gradsOn('cpu', c.x, c.f, c.s, c.pad);
    const wasm = await gradsOn('wasm', c.x, c.f, c.s, c.pad);
    const label = JSON.stringify(c);
    assert.ok(relErr(wasm.gf, cpu.gf) < 1e-5, `filter gradient ${label}: ${relErr(wasm.gf, cpu.gf)}`);
    assert.ok(relErr(wasm.gx, cpu.gx) < 1e-5, `input gradient ${label}: ${relErr(wasm.gx, cpu.gx)}`);
    assert.ok(relErr(wasm.t, cpu.t) < 1e-5, `conv2dTranspose ${label}: ${relErr(wasm.t, cpu.t)}`);
  }
  await tf.setBackend('wasm');
});

/** Brute-force gradients of y = conv2d(x, W) with stride, dilation and the padding tfjs applies. */
function bruteForce(x: Float32Array, xs: Shape4, w: Float32Array, fs: Shape4, dy: Float32Array, ys: Shape4, s: number, d: number, padTop: number, padLeft: number) {
  const [B, H, W, C] = xs;
  const [kh, kw, , K] = fs;
  const [, Ho, Wo] = ys;
  const gx = new Float64Array(x.length);
  const gw = new Float64Array(w.length);
  for (let b = 0; b < B; b++)
    for (let p = 0; p < Ho; p++)
      for (let q = 0; q < Wo; q++)
        for (let i = 0; i < kh; i++)
          for (let j = 0; j < kw; j++) {
            const h = p * s + i * d - padTop;
            const v = q * s + j * d - padLeft;
            if (h < 0 || h >= H || v < 0 || v >= W) continue;
            for (let c = 0; c < C; c++)
              for (let k = 0; k < K; k++) {
                const g = dy[((b * Ho + p) * Wo + q) * K + k];
                gw[((i * kw + j) * C + c) * K + k] += x[((b * H + h) * W + v) * C + c] * g;
                gx[((b * H + h) * W + v) * C + c] += w[((i * kw + j) * C + c) * K + k] * g;
              }
          }
  return { gx: Float32Array.from(gx), gw: Float32Array.from(gw) };
}

test('with dilations, the composed gradients equal a brute-force sum (1e-5)', () => {
  for (const c of [
    { x: [2, 13, 11, 2] as Shape4, f: [3, 3, 2, 3] as Shape4, d: 2, pad: 'valid' as const },
    { x: [1, 17, 9, 3] as Shape4, f: [3, 2, 3, 2] as Shape4, d: 3, pad: 'same' as const },
    { x: [1, 10, 10, 1] as Shape4, f: [2, 2, 1, 4] as Shape4, d: 2, pad: 'same' as const },
  ]) {
    tf.tidy(() => {
      const x = tf.tensor4d(values(c.x, 4), c.x);
      const w = tf.tensor4d(values(c.f, 5), c.f);
      const y = tf.conv2d(x, w, 1, c.pad, 'NHWC', c.d);
      const dy = tf.tensor4d(values(y.shape, 6), y.shape);
      const info = tf.backend_util.computeConv2DInfo(c.x, c.f, 1, c.d, c.pad);
      const ref = bruteForce(x.dataSync() as Float32Array, c.x, w.dataSync() as Float32Array, c.f, dy.dataSync() as Float32Array, y.shape, 1, c.d, info.padInfo.top, info.padInfo.left);
      const attrs = { strides: 1, pad: c.pad, dataFormat: 'NHWC' as const, dilations: c.d };
      const gw = conv2dFilterGradient(x, dy, c.f, attrs).dataSync() as Float32Array;
      const gx = conv2dInputGradient(dy, w, c.x, attrs).dataSync() as Float32Array;
      assert.ok(relErr(gw, ref.gw) < 1e-5, `filter ${JSON.stringify(c)}: ${relErr(gw, ref.gw)}`);
      assert.ok(relErr(gx, ref.gx) < 1e-5, `input ${JSON.stringify(c)}: ${relErr(gx, ref.gx)}`);
    });
  }
});

test('the kernels leak no tensors', () => {
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const x = tf.randomNormal([2, 16, 16, 3]) as tf.Tensor4D;
    const f = tf.randomNormal([3, 3, 3, 4]) as tf.Tensor4D;
    tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'))([x, f], tf.ones([2, 8, 8, 4]));
  });
  assert.equal(tf.memory().numTensors, before);
});
