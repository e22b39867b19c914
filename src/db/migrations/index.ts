import type { Migration, MigrationProvider } from 'kysely/migration';
import * as m0001 from './0001_initial.js';
import * as m0002 from './0002_identity.js';
import * as m0003 from './0003_events.js';
import * as m0004 from './0004_list_indexes.js';
import * as m0005 from './0005_key_rotations.js';
import * as m0006 from './0006_search_index_direct.js';
import * as m0007 from './0007_deletion_protection.js';
import * as m0008 from './0008_tenant_lifecycle.js';
import * as m0009 from './0009_tenant_hierarchy.js';
import * as m0010 from './0010_plans.js';
import * as m0011 from './0011_mail_and_invitations.js';
import * as m0012 from './0012_roles.js';
import * as m0013 from './0013_sso.js';

// Append-only and listed statically, so the set of migrations never depends on the file system.
const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_identity': m0002,
  '0003_events': m0003,
  '0004_list_indexes': m0004,
  '0005_key_rotations': m0005,
  '0006_search_index_direct': m0006,
  '0007_deletion_protection': m0007,
  '0008_tenant_lifecycle': m0008,
  '0009_tenant_hierarchy': m0009,
  '0010_plans': m0010,
  '0011_mail_and_invitations': m0011,
  '0012_roles': m0012,
  '0013_sso': m0013,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};

export const latestMigration = Object.keys(migrations).sort().at(-1)!;
