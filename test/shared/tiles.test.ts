import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractColumns, quantizeTile, TILE_RANGE } from '../../shared/tiles.ts';

test('tiles: the chosen columns of each window, scale by scale; bad ranges refused', () => {
  // 2 windows x 3 scales x 5 samples, value = 100 k + 10 j + i
  const x = Float32Array.from({ length: 30 }, (_, n) => 100 * Math.floor(n / 15) + 10 * Math.floor((n % 15) / 5) + (n % 5));
  assert.deepEqual(Array.from(extractColumns(x, 2, 3, 5, 1, 2)), [1, 2, 11, 12, 21, 22, 101, 102, 111, 112, 121, 122]);
  assert.throws(() => extractColumns(x, 2, 3, 5, 4, 2), /outside 5 samples/);
  assert.throws(() => extractColumns(x, 3, 3, 5, 0, 1), /expected 3 x 3 x 5/);
});

test('tiles: quantised linearly over +-TILE_RANGE, clipped beyond it', () => {
  const q = quantizeTile(Float32Array.of(-TILE_RANGE, 0, TILE_RANGE, -10 * TILE_RANGE, 10 * TILE_RANGE, TILE_RANGE / 2));
  assert.deepEqual(Array.from(q), [0, 128, 255, 0, 255, 191]);
});
