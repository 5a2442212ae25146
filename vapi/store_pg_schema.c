/*
 * store_pg_schema.c: the PostgreSQL store's schema, as its migrations
 * (see store_pg.h); store_pg.c runs them.
 */
#include "store_pg.h"

/*
 * The schema, as the SQLite store's (store_sqlite.c) in PostgreSQL's
 * words.  Text that is compared or sorted is COLLATE "C": byte order, as
 * SQLite and the C filters compare, whatever the database's locale.
 */
#define T "text COLLATE \"C\""
const char *const store_pg_migrations[] = {
    /* 1: the first schema. */
    "CREATE TABLE meta (key " T " PRIMARY KEY, value text NOT NULL);"
    "CREATE TABLE volumes ("
    " uuid " T " PRIMARY KEY, owner_uuid " T " NOT NULL, name " T
    " NOT NULL, type " T " NOT NULL, size bigint NOT NULL CHECK (size > 0),"
    " state " T " NOT NULL CHECK (state IN"
    "  ('creating','ready','failed','deleting')),"
    " create_ms bigint NOT NULL, networks text NOT NULL,"
    " labels text NOT NULL, affinity text, vm_uuid " T ","
    " filesystem_path text, nfs_port integer, mount_port integer,"
    " error text, exported integer NOT NULL DEFAULT 0,"
    " updated_ms bigint NOT NULL);"
    "CREATE UNIQUE INDEX volumes_owner_name ON volumes (owner_uuid, name)"
    " WHERE state IN ('creating','ready');"
    "CREATE INDEX volumes_state ON volumes (state);"
    "CREATE TABLE refs ("
    " volume_uuid " T " NOT NULL REFERENCES volumes (uuid) ON DELETE CASCADE,"
    " vm_uuid " T " NOT NULL, owner_uuid " T " NOT NULL,"
    " created_ms bigint NOT NULL, renewed_ms bigint NOT NULL,"
    " extra text, PRIMARY KEY (volume_uuid, vm_uuid));"
    "CREATE INDEX refs_renewed ON refs (renewed_ms);"
    "CREATE TABLE reservations ("
    " uuid " T " PRIMARY KEY, volume_name " T " NOT NULL,"
    " job_uuid " T " NOT NULL, owner_uuid " T " NOT NULL,"
    " vm_uuid " T " NOT NULL, create_ms bigint NOT NULL);"
    "CREATE INDEX reservations_owner_name ON reservations"
    " (owner_uuid, volume_name);"
    "CREATE TABLE snapshots ("
    " volume_uuid " T " NOT NULL REFERENCES volumes (uuid) ON DELETE CASCADE,"
    " name " T " NOT NULL, seq bigint NOT NULL,"
    " create_ms bigint NOT NULL, state " T " NOT NULL,"
    " PRIMARY KEY (volume_uuid, name));",
    /*
     * 2: indexes for lists that filter by name or owner at any state, in
     * creation order, and the exported set.
     */
    "CREATE INDEX volumes_owner_name_all ON volumes (owner_uuid, name);"
    "CREATE INDEX volumes_owner_created ON volumes"
    " (owner_uuid, create_ms, uuid);"
    "CREATE INDEX volumes_created ON volumes (create_ms, uuid);"
    "CREATE INDEX volumes_exported ON volumes (exported) WHERE exported = 1;"
    "CREATE INDEX refs_volume ON refs (volume_uuid);",
    /* 3: hosts (the holders of references) and granted addresses. */
    "CREATE TABLE hosts ("
    " owner_uuid " T " NOT NULL, uuid " T " NOT NULL,"
    " hostname " T " NOT NULL, address " T " NOT NULL,"
    " version text NOT NULL, created_ms bigint NOT NULL,"
    " heartbeat_ms bigint NOT NULL, PRIMARY KEY (owner_uuid, uuid));"
    "CREATE INDEX hosts_uuid ON hosts (uuid);"
    "CREATE TABLE grants ("
    " volume_uuid " T " NOT NULL REFERENCES volumes (uuid) ON DELETE CASCADE,"
    " address " T " NOT NULL, created_ms bigint NOT NULL,"
    " PRIMARY KEY (volume_uuid, address));",
    /*
     * 4: several instances (store_sql_instances.c): their records, each
     * volume's claim, and leases.
     */
    "CREATE TABLE instances ("
    " id " T " PRIMARY KEY, hostname text NOT NULL, address text NOT NULL,"
    " started_ms bigint NOT NULL, heartbeat_ms bigint NOT NULL);"
    "ALTER TABLE volumes ADD COLUMN claim " T ";"
    "CREATE INDEX volumes_claim ON volumes (claim) WHERE claim IS NOT NULL;"
    "CREATE TABLE leases ("
    " name " T " PRIMARY KEY, holder " T " NOT NULL,"
    " expires_ms bigint NOT NULL);",
    /* 5: an owner's volumes a page at a time, in uuid order. */
    "CREATE INDEX volumes_owner_uuid ON volumes (owner_uuid, uuid);",
};
#undef T

const int store_pg_schema_version =
    (int)(sizeof(store_pg_migrations) / sizeof(store_pg_migrations[0]));
