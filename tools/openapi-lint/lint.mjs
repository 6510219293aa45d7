// Lints an OpenAPI document with Redocly's "recommended" rules (the engine of `redocly lint`),
// printing every problem and exiting 1 when any is an error. The engine and its dependencies are
// vendored as the registry's own tarballs in npm/, so that the check runs without a network.
import { lint, createConfig } from '@redocly/openapi-core';

const config = await createConfig({ extends: ['recommended'] });
const problems = await lint({ ref: process.argv[2], config });
let errors = 0;
for (const p of problems) {
  if (p.severity === 'error') errors++;
  const where = p.location?.[0]?.pointer ?? '';
  console.log(`${p.severity} ${p.ruleId}: ${p.message} ${where}`);
}
console.log(`${errors} errors, ${problems.length - errors} warnings`);
process.exit(errors ? 1 : 0);
