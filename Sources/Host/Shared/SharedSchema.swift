/// The tables, indexes and the intake function of the shared store, created at every host's start (under
/// an advisory lock, so hosts starting together do not race). Documented in `docs/many-hosts.md`.
enum SharedSchema {
    /// The advisory lock key hosts take while they create the schema.
    static let migrationLock: Int64 = 0x6768_6f73_7452_756e

    /// The schema's version, kept in `ghost_meta`: a host whose version (or a newer one) is there already
    /// runs no DDL at all (`CREATE INDEX IF NOT EXISTS` alone would lock `ghost_patches` against every write
    /// while it waits). Version 2 added `before_images` (revert) and `ghost_enqueue`'s `after_seqs`.
    static let version = 2

    /// The statements, in order; each is idempotent.
    static let statements: [String] = [
        "CREATE TABLE IF NOT EXISTS ghost_meta (version integer NOT NULL)",
        """
        CREATE TABLE IF NOT EXISTS ghost_queues (
            name text PRIMARY KEY,
            applied_seq bigint NOT NULL DEFAULT 0,
            paused boolean NOT NULL DEFAULT false,
            pause_reason text,
            workspace_id text
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS ghost_counters (
            queue text PRIMARY KEY REFERENCES ghost_queues (name),
            next_seq bigint NOT NULL DEFAULT 1
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS ghost_leases (
            queue text PRIMARY KEY REFERENCES ghost_queues (name),
            owner text NOT NULL,
            fence bigint NOT NULL DEFAULT 0,
            lease_until timestamptz NOT NULL DEFAULT now()
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS ghost_reach (
            node text NOT NULL,
            queue text NOT NULL REFERENCES ghost_queues (name),
            workspace_id text NOT NULL,
            PRIMARY KEY (node, queue)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS ghost_nodes (
            name text PRIMARY KEY,
            seen_at timestamptz NOT NULL,
            started_at timestamptz NOT NULL,
            address text
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS ghost_patches (
            queue text NOT NULL REFERENCES ghost_queues (name),
            seq bigint NOT NULL,
            id text NOT NULL,
            attempt integer NOT NULL,
            role text,
            content_sha256 text NOT NULL,
            body bytea NOT NULL,
            source text NOT NULL,
            name text NOT NULL,
            received_at timestamptz NOT NULL,
            accepted_by text NOT NULL,
            status text NOT NULL DEFAULT 'queued',
            reason text,
            finished_at timestamptz,
            applied_by text,
            fence bigint,
            receipt text,
            PRIMARY KEY (queue, seq)
        ) WITH (autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.02)
        """,
        // What an applied patch's files were before it (``BeforeImages``, encoded), for its revert. Looked up
        // first: `ADD COLUMN IF NOT EXISTS` takes the table's exclusive lock even when the column is there.
        """
        DO $$ BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'ghost_patches'::regclass
                    AND attname = 'before_images' AND NOT attisdropped) THEN
                ALTER TABLE ghost_patches ADD COLUMN before_images bytea;
            END IF;
        END $$
        """,
        "CREATE INDEX IF NOT EXISTS ghost_patches_by_id ON ghost_patches (id, queue, seq DESC)",
        "CREATE INDEX IF NOT EXISTS ghost_patches_finished ON ghost_patches (finished_at) WHERE finished_at IS NOT NULL",
        // The fleet's listing, newest first, and its cursor.
        "CREATE INDEX IF NOT EXISTS ghost_patches_received ON ghost_patches (received_at DESC, queue, seq)",
        // Intake of a batch in one round trip: the counter row's lock orders a queue's patches by commit and
        // makes each duplicate check and insert one step; a duplicate or conflict takes no sequence number.
        // A patch earlier in the same batch counts as sent before (the same id twice is a duplicate).
        // `after_seqs[i]`, when given, queues a new attempt of `pids[i]` even though its latest run did not
        // fail, provided that run is still the one at that sequence (a revert run again after an undo).
        """
        CREATE OR REPLACE FUNCTION ghost_enqueue(
            q text, pids text[], hashes text[], payloads bytea[], srcs text[], fnames text[], receiveds timestamptz[],
            node text, proles text[], after_seqs bigint[]
        ) RETURNS TABLE (idx integer, state text, seq bigint, attempt integer, receipt text, name text)
        LANGUAGE plpgsql AS $$
        #variable_conflict use_column
        DECLARE
            nxt bigint;
            i integer;
            prev_seq bigint;
            prev_hash text;
            prev_status text;
            prev_attempt integer;
            prev_receipt text;
            prev_name text;
            queued boolean := false;
        BEGIN
            SELECT c.next_seq INTO nxt FROM ghost_counters c WHERE c.queue = q FOR UPDATE;
            IF NOT FOUND THEN
                RETURN QUERY SELECT g::integer, 'unknown'::text, 0::bigint, 0, NULL::text, NULL::text
                    FROM generate_series(1, cardinality(pids)) g;
                RETURN;
            END IF;
            FOR i IN 1 .. cardinality(pids) LOOP
                SELECT p.seq, p.content_sha256, p.status, p.attempt, p.receipt, p.name
                    INTO prev_seq, prev_hash, prev_status, prev_attempt, prev_receipt, prev_name
                    FROM ghost_patches p WHERE p.id = pids[i] AND p.queue = q ORDER BY p.seq DESC LIMIT 1;
                IF FOUND AND prev_status <> 'failed' AND after_seqs[i] IS DISTINCT FROM prev_seq THEN
                    idx := i;
                    state := CASE WHEN prev_hash = hashes[i] THEN 'duplicate' ELSE 'conflict' END;
                    seq := prev_seq;
                    attempt := prev_attempt;
                    receipt := prev_receipt;
                    name := prev_name;
                    RETURN NEXT;
                    CONTINUE;
                END IF;
                prev_attempt := COALESCE(prev_attempt, 0);
                INSERT INTO ghost_patches (queue, seq, id, attempt, role, content_sha256, body, source, name, received_at, accepted_by)
                    VALUES (q, nxt, pids[i], prev_attempt + 1, proles[i], hashes[i], payloads[i], srcs[i], fnames[i], receiveds[i], node);
                idx := i;
                state := 'queued';
                seq := nxt;
                attempt := prev_attempt + 1;
                receipt := NULL;
                name := fnames[i];
                RETURN NEXT;
                nxt := nxt + 1;
                queued := true;
            END LOOP;
            IF queued THEN
                UPDATE ghost_counters c SET next_seq = nxt WHERE c.queue = q;
                PERFORM pg_notify('ghost_wake', q);
            END IF;
        END
        $$
        """,
        // Version 1's call, for hosts not upgraded yet.
        """
        CREATE OR REPLACE FUNCTION ghost_enqueue(
            q text, pids text[], hashes text[], payloads bytea[], srcs text[], fnames text[], receiveds timestamptz[],
            node text, proles text[]
        ) RETURNS TABLE (idx integer, state text, seq bigint, attempt integer, receipt text, name text)
        LANGUAGE sql AS $$ SELECT * FROM ghost_enqueue(q, pids, hashes, payloads, srcs, fnames, receiveds, node, proles, NULL::bigint[]) $$
        """,
    ]
}
