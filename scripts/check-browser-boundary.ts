/**
 * Part of `npm run typecheck`: the browser project (tsconfig.browser.json: shared/ + client/) may
 * reach no repo file outside shared/ and client/ and no Node types. tsc alone cannot say so: a
 * Node-only repo module that imports a package whose types reference Node's (apache-arrow does)
 * would compile, pulling Node's types in with it.
 */
import { dirname, join, relative, sep } from 'node:path';
import ts from 'typescript';

const ROOT = join(import.meta.dirname, '..');
const configPath = join(ROOT, 'tsconfig.browser.json');
const parsed = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, dirname(configPath));
const program = ts.createProgram(parsed.fileNames, parsed.options);
const offenders: string[] = [];
for (const f of program.getSourceFiles()) {
  const rel = relative(ROOT, f.fileName);
  if (rel.includes(`node_modules${sep}@types${sep}node${sep}`)) offenders.push(`${rel} (Node's types)`);
  else if (!rel.includes('node_modules') && !rel.startsWith(`shared${sep}`) && !rel.startsWith(`client${sep}`)) offenders.push(rel);
}
if (offenders.length) {
  const shown = [...new Set(offenders.map((o) => (o.includes("Node's types") ? "Node's types (@types/node)" : o)))];
  console.error(`browser code (shared/, client/) reaches Node-only code: ${shown.slice(0, 5).join(', ')}${shown.length > 5 ? ` and ${shown.length - 5} more` : ''}`);
  process.exit(1);
}
