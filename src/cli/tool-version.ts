// The version of this tool, as package.json states it; shard.json records it so that `merge`
// only combines shards written by the same version.

import { createRequire } from 'node:module';

export const TOOL_VERSION: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
