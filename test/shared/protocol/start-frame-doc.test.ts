/** docs/protocol.md shows the start-frame schema the server enforces, exactly. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startFrameSchemaMarkdown } from '../../../shared/protocol/start-frame.ts';

test('docs/protocol.md shows the start-frame schema of shared/protocol/start-frame.ts', () => {
  const doc = readFileSync(join(import.meta.dirname, '..', '..', '..', 'docs', 'protocol.md'), 'utf8');
  const shown = /<!-- start-frame-schema -->\n([\s\S]*?)\n<!-- \/start-frame-schema -->/.exec(doc)?.[1];
  assert.equal(shown, startFrameSchemaMarkdown(), 'regenerate the table with startFrameSchemaMarkdown()');
});
