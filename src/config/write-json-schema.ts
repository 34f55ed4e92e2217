/**
 * Regenerates the files derived from `src/config/schema.ts`:
 * - `schema/sluice-config.schema.json` (JSON Schema of sluice.yaml);
 * - the key table of `docs/reference/config.md` (between its markers).
 *
 * Usage: npx tsc -p tsconfig.json && node dist/src/config/write-json-schema.js
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JSON_SCHEMA_PATH, renderJsonSchema } from './json-schema.js';
import { CONFIG_DOC_PATH, replaceKeyTable } from './docs.js';

// dist/src/config/write-json-schema.js → repository root
const root = fileURLToPath(new URL('../../../', import.meta.url));

const schemaFile = join(root, JSON_SCHEMA_PATH);
mkdirSync(dirname(schemaFile), { recursive: true });
writeFileSync(schemaFile, renderJsonSchema());
console.log(`wrote ${JSON_SCHEMA_PATH}`);

const docFile = join(root, CONFIG_DOC_PATH);
const before = readFileSync(docFile, 'utf8');
const after = replaceKeyTable(before);
if (after !== before) {
  writeFileSync(docFile, after);
  console.log(`updated the key table of ${CONFIG_DOC_PATH}`);
}
