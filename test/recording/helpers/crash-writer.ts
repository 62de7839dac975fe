/**
 * Child process for the crash test: appends deterministic batches to a recording forever,
 * printing "flushed N" after each fsync, until it is killed with SIGKILL.
 */
import { RecordingWriter } from '../../../recording/recording.ts';
import { batchFor, testMeta } from './recording-fixture.ts';

const dir = process.argv[2];
const w = RecordingWriter.create(dir, testMeta());
for (let k = 0; ; k++) {
  w.append('ae', batchFor(k).ae);
  w.append('mech', batchFor(k).mech);
  w.flush();
  process.stdout.write(`flushed ${k + 1}\n`);
}
